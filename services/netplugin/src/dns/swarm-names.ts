/**
 * Names of swarm-mode tasks. Docker names a task's container
 * `<service>.<slot>.<task id>` (replicated services) or
 * `<service>.<node id>.<task id>` (global services), ids being 25 characters
 * of [0-9a-z], and labels it `com.docker.swarm.service.name`. Its endpoint
 * record carries that container name and those labels (container-names.ts),
 * and the name resolves as is; users also type the service's name
 * (`ping web`) and Docker's `tasks.web`, both meaning every task of the
 * service. Swarm's VIPs need IPVS, which the hosts here lack (services run
 * with `--endpoint-mode dnsrr`), so the service name answers the tasks'
 * addresses, as Docker's own DNS does for dnsrr.
 */

/** The label Docker puts on a task's container. */
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';

const SWARM_ID = '[0-9a-z]{25}';
const TASK_NAME = new RegExp(`^(.+)\\.(?:[0-9]+|${SWARM_ID})\\.${SWARM_ID}$`);

/** The swarm service of a task's container name (lowercase), or undefined for other names. */
export function swarmServiceOf(containerName: string): string | undefined {
  return TASK_NAME.exec(containerName)?.[1];
}

/**
 * The extra names of a task: `<service>` and `tasks.<service>`, the service
 * read from its label, or else from its (normalized) container name (records
 * written before labels were kept); [] for other containers.
 */
export function swarmTaskNames(containerName: string, labels?: Readonly<Record<string, string>>): string[] {
  const labelled = labels?.[SWARM_SERVICE_LABEL]?.toLowerCase();
  const service = labelled !== undefined && labelled !== '' && !labelled.includes('/') ? labelled : swarmServiceOf(containerName);
  return service === undefined ? [] : [service, `tasks.${service}`];
}
