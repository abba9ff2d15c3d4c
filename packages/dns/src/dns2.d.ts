// dns2 2.x ships no types; the tests use only its packet parser, as an independent reading of
// what our encoder writes.
declare module 'dns2' {
  interface Dns2Resource {
    name: string;
    type: number;
    class: number;
    ttl: number;
    address?: string;
    domain?: string;
    data?: string | string[];
    exchange?: string;
    priority?: number;
    weight?: number;
    port?: number;
    target?: string;
    ns?: string;
    primary?: string;
    admin?: string;
    serial?: number;
    minimum?: number;
  }
  interface Dns2Packet {
    header: {
      id: number;
      qr: number;
      aa: number;
      tc: number;
      rd: number;
      ra: number;
      rcode: number;
      opcode: number;
    };
    questions: Array<{ name: string; type: number; class: number }>;
    answers: Dns2Resource[];
    authorities: Dns2Resource[];
    additionals: Dns2Resource[];
  }
  const dns2: {
    Packet: { parse(buf: Buffer): Dns2Packet; TYPE: Record<string, number> } & (new () => unknown);
  };
  export default dns2;
}
