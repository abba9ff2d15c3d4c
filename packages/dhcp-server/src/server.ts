import {
  BootOp,
  BROADCAST_FLAG,
  type DhcpOptions,
  type DhcpPacket,
  decode,
  encode,
  encodeOptionBytes,
  encodeWithOptionBytes,
  MessageType,
  macAddress,
  OptionCode,
  replySizeLimit,
} from '@netspan/dhcp-codec';
import {
  type BindParams,
  type BindResult,
  type Cidr,
  cidrContains,
  effectiveMtu,
  effectiveRouters,
  effectiveStaticRoutes,
  formatIPv4,
  type Location,
  type Network,
  type Offer,
  type OfferParams,
  parseCidr,
  parseIPv4,
  prefixMask,
  type StoredLease,
} from '@netspan/ipam';
import { clientHostname, clientIdentity } from './identity.js';

/** What the state machine needs from the lease layer (`DhcpLeases` in @netspan/ipam). */
export interface LeaseBackend {
  offer(p: OfferParams): Promise<Offer | undefined>;
  bind(p: BindParams): Promise<BindResult>;
  release(network: string, clientId: string, address: string): Promise<boolean>;
  decline(network: string, clientId: string, address: string, quarantineSeconds: number): Promise<boolean>;
  leaseOf(network: string, clientId: string): StoredLease | undefined;
}

/** Where a request came from, as established by the transport (never by the packet). */
export interface RequestContext {
  /** The network the packet belongs to (the agent's bridge, or the relay's giaddr). */
  network: Network;
  /** The address this server identifies itself with (option 54) on that network. */
  serverId: string;
  location: Location;
  /** Underlay MTU of the host, for the VXLAN default of option 26. */
  underlayMtu?: number;
}

/** How a reply leaves: RFC 2131 §4.1. */
export type Delivery =
  /** To the relay agent at giaddr, port 67. */
  | { kind: 'relay'; address: string }
  /** To the client's configured address (ciaddr), port 68. */
  | { kind: 'unicast'; address: string; mac: string }
  /** To 255.255.255.255:68 (the client has no address yet, or asked for broadcast). */
  | { kind: 'broadcast'; mac: string };

export interface Reply {
  packet: DhcpPacket;
  bytes: Buffer;
  delivery: Delivery;
}

export type Outcome =
  | 'offer'
  | 'ack'
  | 'nak'
  | 'inform'
  | 'released'
  | 'declined'
  | 'ignored-other-server'
  | 'ignored-no-lease'
  | 'exhausted'
  | 'malformed'
  | 'unsupported';

export interface DhcpServerOptions {
  /** How long a DECLINEd address stays out of use. */
  declineQuarantineSeconds?: number;
  /** Called once per packet with what happened (metrics, logs). */
  onOutcome?: (messageType: string, outcome: Outcome, detail?: string) => void;
  /**
   * Whether `onOutcome` reads `detail` right now (say, only while debug logging is on). When it
   * returns false, details that would take building a string are left undefined. Default: always.
   */
  wantsDetail?: () => boolean;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'discover',
  2: 'offer',
  3: 'request',
  4: 'decline',
  5: 'ack',
  6: 'nak',
  7: 'release',
  8: 'inform',
};

const always = () => true;

/**
 * A DHCPv4 server (RFC 2131 §4.3) that knows nothing about sockets: packets in, replies
 * (with how to deliver them) out. Malformed packets are dropped and counted; nothing a
 * client sends can make `handle` throw.
 */
export class DhcpServer {
  private readonly quarantine: number;
  private readonly onOutcome: NonNullable<DhcpServerOptions['onOutcome']>;
  private readonly wantsDetail: () => boolean;

  constructor(
    private readonly leases: LeaseBackend,
    opts: DhcpServerOptions = {},
  ) {
    this.quarantine = opts.declineQuarantineSeconds ?? 600;
    this.onOutcome = opts.onOutcome ?? (() => {});
    // Nobody listens: no details at all.
    this.wantsDetail = opts.onOutcome ? (opts.wantsDetail ?? always) : () => false;
  }

  /** Decodes and handles one datagram; undefined when no reply is due (or it was malformed). */
  async handleBytes(bytes: Uint8Array, ctx: RequestContext): Promise<Reply | undefined> {
    let packet: DhcpPacket;
    try {
      packet = decode(bytes);
    } catch (err) {
      this.onOutcome('unknown', 'malformed', err instanceof Error ? err.message : String(err));
      return undefined;
    }
    return this.handle(packet, ctx);
  }

  /** Reports the outcome of a packet of type `name`; returns `reply`. */
  private done(name: string, outcome: Outcome, detail?: string, reply?: Reply): Reply | undefined {
    this.onOutcome(name, outcome, detail);
    return reply;
  }

  /**
   * Not itself async: DISCOVER and REQUEST return the promise of their own async step, without
   * one more async layer (and its promise and microtask) around it; the rest resolve at once.
   * As from an async function, whatever throws comes back as a rejected promise.
   */
  handle(req: DhcpPacket, ctx: RequestContext): Promise<Reply | undefined> {
    try {
      const type = req.options.messageType ?? 0;
      const name = TYPE_NAMES[type] ?? `type-${type}`;
      if (req.op !== BootOp.Request)
        return Promise.resolve(this.done(name, 'malformed', 'not a BOOTREQUEST'));
      // One MAC for the client identity, the lease and the delivery.
      const mac = macAddress(req);
      const clientId = clientIdentity(req, mac);
      if (!clientId) {
        return Promise.resolve(
          this.done(name, 'malformed', 'no client identifier and no usable hardware address'),
        );
      }
      if (type === MessageType.Discover) return this.discover(req, ctx, name, clientId, mac ?? '');
      if (type === MessageType.Request) return this.request(req, ctx, name, clientId, mac ?? '');
      return this.other(req, ctx, type, name, clientId);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async discover(
    req: DhcpPacket,
    ctx: RequestContext,
    name: string,
    clientId: string,
    mac: string,
  ): Promise<Reply | undefined> {
    const net = ctx.network;
    const requested = req.options.requestedIp;
    const offer = await this.leases.offer(
      requested ? { network: net.name, clientId, mac, requested } : { network: net.name, clientId, mac },
    );
    if (!offer) {
      return this.done(
        name,
        'exhausted',
        this.wantsDetail() ? `network ${net.name} has no free address` : undefined,
      );
    }
    return this.done(name, 'offer', offer.address, this.reply(req, ctx, MessageType.Offer, offer.address));
  }

  /** DECLINE, RELEASE, INFORM and the types this server does not answer. */
  private async other(
    req: DhcpPacket,
    ctx: RequestContext,
    type: number,
    name: string,
    clientId: string,
  ): Promise<Reply | undefined> {
    const net = ctx.network;
    switch (type) {
      case MessageType.Decline: {
        if (req.options.serverId && req.options.serverId !== ctx.serverId)
          return this.done(name, 'ignored-other-server');
        const address = req.options.requestedIp;
        if (!address) return this.done(name, 'malformed', 'DECLINE without option 50');
        const ok = await this.leases.decline(net.name, clientId, address, this.quarantine);
        return this.done(name, ok ? 'declined' : 'ignored-no-lease', address);
      }
      case MessageType.Release: {
        if (req.options.serverId && req.options.serverId !== ctx.serverId)
          return this.done(name, 'ignored-other-server');
        const ok = await this.leases.release(net.name, clientId, req.ciaddr);
        return this.done(name, ok ? 'released' : 'ignored-no-lease', req.ciaddr);
      }
      case MessageType.Inform: {
        if (req.ciaddr === '0.0.0.0') return this.done(name, 'malformed', 'INFORM without ciaddr');
        return this.done(name, 'inform', req.ciaddr, this.reply(req, ctx, MessageType.Ack, '0.0.0.0'));
      }
      default:
        return this.done(name, 'unsupported');
    }
  }

  private async request(
    req: DhcpPacket,
    ctx: RequestContext,
    name: string,
    clientId: string,
    mac: string,
  ): Promise<Reply | undefined> {
    const net = ctx.network;
    const { cidr } = planOf(net);
    const o = req.options;
    let address: string;
    let state: string;
    if (o.serverId !== undefined) {
      // SELECTING: the client picked a server; if not us, our offer is moot.
      state = 'selecting';
      if (o.serverId !== ctx.serverId) return this.done(name, 'ignored-other-server', o.serverId);
      if (!o.requestedIp || req.ciaddr !== '0.0.0.0')
        return this.done(name, 'malformed', 'SELECTING without option 50');
      address = o.requestedIp;
    } else if (o.requestedIp) {
      // INIT-REBOOT: the client wants its previous address back.
      state = 'init-reboot';
      address = o.requestedIp;
      if (!inNetwork(cidr, address)) {
        return this.done(
          name,
          'nak',
          this.wantsDetail() ? `${address} is not on ${net.cidr}` : undefined,
          this.nak(req, ctx, 'wrong network'),
        );
      }
    } else if (req.ciaddr !== '0.0.0.0') {
      // RENEWING (unicast) or REBINDING (broadcast).
      state = 'renewing';
      address = req.ciaddr;
      if (!inNetwork(cidr, address))
        return this.done(
          name,
          'nak',
          this.wantsDetail() ? `${address} is not on ${net.cidr}` : undefined,
          this.nak(req, ctx, 'wrong network'),
        );
    } else {
      return this.done(name, 'malformed', 'REQUEST with neither option 50 nor ciaddr');
    }
    // The ACK is built now, while the claim waits for its group's transaction: it depends on
    // nothing the transaction decides but whether it holds, and a returning group's ACKs then
    // leave without ~100 encodes between the reply and the wire (see ackFor).
    const ack = this.reply(req, ctx, MessageType.Ack, address);
    const bound = await this.leases.bind({
      network: net.name,
      clientId,
      mac,
      address,
      hostname: clientHostname(req),
      location: ctx.location,
      leaseTimeSeconds: net.leaseTimeSeconds,
    });
    if (!bound.ok) {
      return this.done(
        name,
        'nak',
        this.wantsDetail() ? `${state} ${address}: ${bound.reason}` : undefined,
        this.nak(req, ctx, `address ${bound.reason}`),
      );
    }
    return this.done(
      name,
      'ack',
      this.wantsDetail() ? `${state} ${address}` : undefined,
      this.ackFor(ack, req, ctx, address, bound.lease),
    );
  }

  /**
   * The ACK built before the claim, when the lease time it states is still what the lease has
   * left (the claim took under half a second); else one built now from the stored lease.
   */
  private ackFor(
    ack: Reply,
    req: DhcpPacket,
    ctx: RequestContext,
    address: string,
    lease: StoredLease,
  ): Reply {
    const prebuilt = ack.packet.options.leaseTime;
    return prebuilt !== undefined && prebuilt === leaseSecondsLeft(lease, ctx.network)
      ? ack
      : this.reply(req, ctx, MessageType.Ack, address, lease);
  }

  private reply(
    req: DhcpPacket,
    ctx: RequestContext,
    type: number,
    yiaddr: string,
    lease?: StoredLease,
  ): Reply {
    const net = ctx.network;
    const plan = planOf(net);
    const mtu = effectiveMtu(net, ctx.underlayMtu ?? 1500);
    const sel = selectionOf(req.options.parameterRequestList, mtu, plan.routes.length > 0);
    const options: DhcpOptions = {
      messageType: type,
      serverId: ctx.serverId,
      subnetMask: plan.subnetMask,
    };
    if (sel & SEL_BROADCAST) options.broadcastAddress = plan.broadcast;
    const inform = req.options.messageType === MessageType.Inform;
    let lt = 0;
    if (!inform) {
      lt = lease ? leaseSecondsLeft(lease, net) : net.leaseTimeSeconds;
      options.leaseTime = lt;
      if (sel & SEL_TIMES) {
        options.renewalTime = Math.floor(lt / 2);
        options.rebindingTime = Math.floor((lt * 7) / 8);
      }
    }
    if (plan.routers.length > 0) options.routers = plan.routers;
    const o = net.dhcpOptions;
    if (sel & SEL_DNS && o.dnsServers.length > 0) options.dnsServers = o.dnsServers;
    if (sel & SEL_NTP && o.ntpServers.length > 0) options.ntpServers = o.ntpServers;
    if (sel & SEL_DOMAIN) options.domainName = net.domain;
    if (sel & SEL_SEARCH && o.domainSearch.length > 0) options.domainSearch = o.domainSearch;
    if (sel & SEL_MTU) options.mtu = mtu;
    if (sel & SEL_ROUTES && plan.routes.length > 0) options.classlessRoutes = plan.routes;
    if (req.options.relayAgentInfo) options.relayAgentInfo = req.options.relayAgentInfo; // RFC 3046 §2.2: echo
    const clientId = req.options.clientId;
    if (clientId) options.clientId = clientId; // RFC 6842: returned unaltered
    const f = { ciaddr: req.ciaddr, yiaddr, flags: req.flags };
    if (inform) return buildReply(req, options, f, false);
    // OFFER and ACK: splice the bytes every reply on this network repeats (encoded once per
    // network definition, MTU and option selection) around the few that vary, in the order
    // encode() would write them.
    const blocks = blocksOf(plan, options, mtu * 256 + sel);
    const sid = serverIdBytes(ctx.serverId);
    if (!sid) return buildReply(req, options, f, false); // encode() says what is wrong with it
    // The varying bytes go into one scratch buffer through fixed views of it, and the chunk
    // list is reused: encodeWithOptionBytes copies them into the reply before returning.
    const varying = VARYING;
    varying[2] = type;
    varying.writeUInt32BE(lt, 5);
    varying.set(sid, 11);
    varying.writeUInt32BE(Math.floor(lt / 2), 17);
    varying.writeUInt32BE(Math.floor((lt * 7) / 8), 23);
    const chunks = CHUNKS;
    chunks.length = 0;
    chunks.push(VARYING_TYPE, blocks.low, sel & SEL_TIMES ? VARYING_TIMES : VARYING_NO_TIMES);
    // Option 61 sorts after 59 and before every option in `high` (reply() sets no option 60).
    if (clientId) {
      varying[28] = clientId.length;
      chunks.push(VARYING_CLIENT_ID, clientId);
    }
    chunks.push(blocks.high);
    if (req.options.relayAgentInfo)
      chunks.push(encodeOptionBytes({ relayAgentInfo: req.options.relayAgentInfo }));
    const packet = replyPacket(req, options, f);
    const bytes = encodeWithOptionBytes(packet, chunks, { maxSize: replySizeLimit(req) });
    chunks.length = 0; // (holds no buffers of this reply past it)
    if (!bytes) return buildReply(req, options, f, false); // too big: encode() overloads file/sname
    return { packet, bytes, delivery: deliveryFor(req, false) };
  }

  private nak(req: DhcpPacket, ctx: RequestContext, message: string): Reply {
    const options: DhcpOptions = { messageType: MessageType.Nak, serverId: ctx.serverId, message };
    if (req.options.clientId) options.clientId = req.options.clientId; // RFC 6842
    if (req.options.relayAgentInfo) options.relayAgentInfo = req.options.relayAgentInfo;
    // A relay must broadcast a NAK to the client (RFC 2131 §4.3.2).
    const flags = req.giaddr !== '0.0.0.0' ? req.flags | BROADCAST_FLAG : req.flags;
    return buildReply(req, options, { ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', flags }, true);
  }
}

/** Seconds of `lease` left, as an ACK states them (a lease without expiry: the network's time). */
function leaseSecondsLeft(lease: StoredLease, net: Network): number {
  return lease.expiresAtMs
    ? Math.max(1, Math.round((lease.expiresAtMs - Date.now()) / 1000))
    : net.leaseTimeSeconds;
}

function inNetwork(cidr: Cidr, address: string): boolean {
  const ip = parseIPv4(address);
  return ip !== undefined && cidrContains(cidr, ip);
}

/**
 * Scratch for the options of OFFER/ACK that vary per reply, laid out as reply() sends them:
 * 53 (type), then 51 (lease time), 54 (server id), 58 (T1), 59 (T2), then 61's code and length.
 * reply() fills the values in; VARYING_TIMES / VARYING_NO_TIMES take 51 and 54 with or
 * without 58 and 59.
 */
// biome-ignore format: one option per line
const VARYING = Buffer.from([
  OptionCode.MessageType, 1, 0,
  OptionCode.LeaseTime, 4, 0, 0, 0, 0,
  OptionCode.ServerId, 4, 0, 0, 0, 0,
  OptionCode.RenewalTime, 4, 0, 0, 0, 0,
  OptionCode.RebindingTime, 4, 0, 0, 0, 0,
  OptionCode.ClientId, 0,
]);
const VARYING_TYPE = VARYING.subarray(0, 3);
const VARYING_TIMES = VARYING.subarray(3, 27);
const VARYING_NO_TIMES = VARYING.subarray(3, 15);
const VARYING_CLIENT_ID = VARYING.subarray(27, 29);
const CHUNKS: Uint8Array[] = [];

/** A BOOTREPLY to `req` with `options`, encoded within the size the client accepts. */
function buildReply(
  req: DhcpPacket,
  options: DhcpOptions,
  f: { ciaddr: string; yiaddr: string; flags: number },
  nak: boolean,
): Reply {
  const packet = replyPacket(req, options, f);
  return { packet, bytes: encode(packet, { maxSize: replySizeLimit(req) }), delivery: deliveryFor(req, nak) };
}

function replyPacket(
  req: DhcpPacket,
  options: DhcpOptions,
  f: { ciaddr: string; yiaddr: string; flags: number },
): DhcpPacket {
  return {
    op: BootOp.Reply,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: f.flags,
    ciaddr: f.ciaddr,
    yiaddr: f.yiaddr,
    siaddr: '0.0.0.0',
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: '',
    file: '',
    options,
  };
}

/**
 * Which of a network's options a reply carries (RFC 2131 §4.3.1): the ones the client asks for
 * in its parameter request list (option 55), as Kea, ISC dhcpd and dnsmasq do; every configured
 * one when it sends no list. Message type, server identifier, lease time, subnet mask and
 * routers always go, and so does the MTU when the network's differs from Ethernet's 1500 (a
 * VXLAN overlay's 1450): a guest that does not ask for it would send frames the overlay drops,
 * so it is forced, as dnsmasq's dhcp-option-force does. So are static routes the network
 * defines (option 121): busybox udhcpc applies them but does not ask for them by default, and
 * an operator who configured routes means them to arrive. T1 and T2 go when asked for; a client
 * that does not ask uses the same values (RFC 2131 §4.4.5: half and 7/8 of the lease).
 */
const SEL_DNS = 1;
const SEL_DOMAIN = 2;
const SEL_MTU = 4;
const SEL_BROADCAST = 8;
const SEL_NTP = 16;
const SEL_SEARCH = 32;
const SEL_ROUTES = 64;
const SEL_TIMES = 128;
const SEL_ALL = 255;
const SEL_BY_CODE: Record<number, number> = {
  [OptionCode.DnsServers]: SEL_DNS,
  [OptionCode.DomainName]: SEL_DOMAIN,
  [OptionCode.InterfaceMtu]: SEL_MTU,
  [OptionCode.BroadcastAddress]: SEL_BROADCAST,
  [OptionCode.NtpServers]: SEL_NTP,
  [OptionCode.DomainSearch]: SEL_SEARCH,
  [OptionCode.ClasslessStaticRoutes]: SEL_ROUTES,
  [OptionCode.RenewalTime]: SEL_TIMES,
  [OptionCode.RebindingTime]: SEL_TIMES,
};
function selectionOf(prl: number[] | undefined, mtu: number, routes: boolean): number {
  if (prl === undefined) return SEL_ALL;
  let sel = (mtu !== 1500 ? SEL_MTU : 0) | (routes ? SEL_ROUTES : 0);
  for (const code of prl) sel |= SEL_BY_CODE[code] ?? 0;
  return sel;
}

/** Option codes below LeaseTime (51) come before the varying options; above RebindingTime (59), after. */
interface Blocks {
  low: Buffer;
  high: Buffer;
}

/**
 * The constant options of OFFER/ACK on a network as wire bytes: those below option 51 and
 * those above 59 (the varying ones — 51, 53, 54, 58, 59 and the echoed 82 — sit in
 * between or around them in encode's code order). Per network definition and MTU.
 */
function blocksOf(plan: Plan, options: DhcpOptions, key: number): Blocks {
  let b = plan.blocks.get(key);
  if (!b) {
    const low: DhcpOptions = {};
    const high: DhcpOptions = {};
    const split = low as Record<string, unknown>;
    const splitHigh = high as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) {
      const code = optionCodeOf(key);
      if (code === undefined || value === undefined) continue;
      if (code < OptionCode.LeaseTime) split[key] = value;
      else if (
        code > OptionCode.RebindingTime &&
        code !== OptionCode.RelayAgentInfo &&
        code !== OptionCode.ClientId
      )
        splitHigh[key] = value; // (82 and 61 are the request's, echoed)
    }
    b = { low: encodeOptionBytes(low), high: encodeOptionBytes(high) };
    plan.blocks.set(key, b);
  }
  return b;
}

const CONSTANT_CODES: Record<string, number> = {
  subnetMask: OptionCode.SubnetMask,
  routers: OptionCode.Routers,
  dnsServers: OptionCode.DnsServers,
  domainName: OptionCode.DomainName,
  mtu: OptionCode.InterfaceMtu,
  broadcastAddress: OptionCode.BroadcastAddress,
  ntpServers: OptionCode.NtpServers,
  domainSearch: OptionCode.DomainSearch,
  classlessRoutes: OptionCode.ClasslessStaticRoutes,
};
function optionCodeOf(key: string): number | undefined {
  return CONSTANT_CODES[key];
}

/** Server identifiers are few: their 4 bytes, parsed once (undefined when not a dotted quad). */
const serverIds = new Map<string, Buffer | undefined>();
function serverIdBytes(id: string): Buffer | undefined {
  if (serverIds.has(id)) return serverIds.get(id);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(id);
  const octets = m ? m.slice(1).map(Number) : [];
  const ok = m && octets.every((x, i) => x <= 255 && String(x) === m[i + 1]);
  const bytes = ok ? Buffer.from(octets) : undefined;
  if (serverIds.size < 1024) serverIds.set(id, bytes);
  return bytes;
}

interface Plan {
  /** Pre-encoded constant options, by MTU (the one value that depends on the host) × 256 + selection. */
  blocks: Map<number, Blocks>;
  cidr: Cidr;
  subnetMask: string;
  broadcast: string;
  routers: string[];
  routes: Array<{ destination: string; router: string }>;
}

/** What every reply on a network repeats, computed once per network definition. */
const plans = new WeakMap<Network, Plan>();
function planOf(net: Network): Plan {
  let plan = plans.get(net);
  if (!plan) {
    const cidr = parseCidr(net.cidr, 'cidr');
    plan = {
      blocks: new Map(),
      cidr,
      subnetMask: formatIPv4(prefixMask(cidr.prefix)),
      broadcast: formatIPv4(cidr.last),
      routers: effectiveRouters(net),
      routes: effectiveStaticRoutes(net).map((r) => ({ destination: r.destination, router: r.gateway })),
    };
    plans.set(net, plan);
  }
  return plan;
}

/** RFC 2131 §4.1 destination rules. */
export function deliveryFor(req: DhcpPacket, nak: boolean): Delivery {
  if (req.giaddr !== '0.0.0.0') return { kind: 'relay', address: req.giaddr };
  const mac = macAddress(req) ?? '';
  if (nak) return { kind: 'broadcast', mac };
  if (req.ciaddr !== '0.0.0.0') return { kind: 'unicast', address: req.ciaddr, mac };
  // The client has no address yet. Unicasting to yiaddr would need an ARP entry injected
  // for it, which a userspace relay cannot do; broadcast reaches it either way.
  return { kind: 'broadcast', mac };
}
