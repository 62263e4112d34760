import { isJsonObject } from './json';

/**
 * Turns an error response into the one line netctl prints. Our netmaster
 * answers `{"error":{"code","message"}}`; Contiv's answered 500 with plain text
 * (the message, then one Go stack frame per line); fastify's own 404 is
 * `{"message","error","statusCode"}`.
 */
export function serverErrorMessage(status: number, statusText: string, body: string): string {
  const text = body.trim();
  const fallback = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (text === '') return fallback;
  const fromJson = messageFromJson(text);
  if (fromJson !== undefined) return oneLine(fromJson) || fallback;
  if (text.startsWith('{') || text.startsWith('[')) return `${fallback}: ${oneLine(text).slice(0, 200)}`;
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  return first.trim() || fallback;
}

function messageFromJson(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed === 'string') return parsed;
  if (!isJsonObject(parsed)) return undefined;
  const { error, message } = parsed;
  if (isJsonObject(error) && typeof error.message === 'string') return error.message;
  if (typeof message === 'string') return message;
  if (typeof error === 'string') return error;
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
