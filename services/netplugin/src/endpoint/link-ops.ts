/**
 * Host links through iproute2 and ethtool. One `ip link add` creates the veth
 * pair with its MTU, the container side's MAC, and the host side up; the
 * container side stays down until Docker moves it into the sandbox.
 */
import { CommandFailure, execRunner, type CommandRunner } from './command-runner';

export interface VethSpec {
  /** Host side: attached to the OVS bridge. */
  readonly hostName: string;
  /** Container side: Join's SrcName, moved into the sandbox by Docker. */
  readonly peerName: string;
  readonly mtu: number;
  readonly peerMac: string;
}

/** The seam endpoint code uses for host links. */
export interface LinkOps {
  createVeth(spec: VethSpec): Promise<void>;
  /** `ethtool -K <ifname> tx off` (see ENVIRONMENT.md §1: TCP over the netdev datapath needs it). */
  disableTxChecksumOffload(ifname: string): Promise<void>;
  /** Deletes a link (and so its veth peer); false if it did not exist. */
  deleteLink(name: string): Promise<boolean>;
  linkExists(name: string): Promise<boolean>;
  /** Names of every link in this namespace. */
  listLinks(): Promise<string[]>;
  linkMtu(name: string): Promise<number | undefined>;
  /** Device of the IPv4 default route, if any. */
  defaultRouteDevice(): Promise<string | undefined>;
}

const NO_DEVICE = /Cannot find device|does not exist|No such device/i;

export class IpLinkOps implements LinkOps {
  constructor(private readonly runner: CommandRunner = execRunner) {}

  async createVeth(spec: VethSpec): Promise<void> {
    const mtu = String(spec.mtu);
    await this.runner.run('ip', ['link', 'add', spec.hostName, 'mtu', mtu, 'up', 'type', 'veth', 'peer', 'name', spec.peerName, 'mtu', mtu, 'address', spec.peerMac]);
  }

  async disableTxChecksumOffload(ifname: string): Promise<void> {
    await this.runner.run('ethtool', ['-K', ifname, 'tx', 'off']);
  }

  async deleteLink(name: string): Promise<boolean> {
    try {
      await this.runner.run('ip', ['link', 'del', name]);
      return true;
    } catch (err) {
      if (err instanceof CommandFailure && NO_DEVICE.test(err.stderr)) return false;
      throw err;
    }
  }

  async linkExists(name: string): Promise<boolean> {
    return (await this.showLink(name)) !== undefined;
  }

  async listLinks(): Promise<string[]> {
    const { stdout } = await this.runner.run('ip', ['-j', 'link', 'show']);
    const links = JSON.parse(stdout || '[]') as Array<{ ifname?: unknown }>;
    return links.map((l) => l.ifname).filter((n): n is string => typeof n === 'string');
  }

  async linkMtu(name: string): Promise<number | undefined> {
    return (await this.showLink(name))?.mtu;
  }

  async defaultRouteDevice(): Promise<string | undefined> {
    const { stdout } = await this.runner.run('ip', ['-j', '-4', 'route', 'show', 'default']);
    const routes = JSON.parse(stdout || '[]') as Array<{ dev?: string }>;
    return routes.find((r) => typeof r.dev === 'string')?.dev;
  }

  private async showLink(name: string): Promise<{ mtu: number } | undefined> {
    try {
      const { stdout } = await this.runner.run('ip', ['-j', 'link', 'show', 'dev', name]);
      const links = JSON.parse(stdout || '[]') as Array<{ mtu?: number }>;
      const mtu = links[0]?.mtu;
      return typeof mtu === 'number' ? { mtu } : undefined;
    } catch (err) {
      if (err instanceof CommandFailure && NO_DEVICE.test(err.stderr)) return undefined;
      throw err;
    }
  }
}
