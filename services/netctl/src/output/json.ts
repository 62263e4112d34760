/** Pretty JSON with a 2-space indent and a final newline, as Contiv's json.MarshalIndent output. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
