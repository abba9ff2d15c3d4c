/**
 * What a server does with a message `parseQuery` rejected. No other exception type ever leaves
 * `parseQuery` for malformed input; a server counts these and answers or drops as told.
 */
export const WireAction = {
  /** Not worth an answer: shorter than a header, or a response (QR set), which must never be answered. */
  Drop: 'DROP',
  /** Answer FORMERR (RFC 1035 §4.1.1): the header was readable, the rest was not. */
  FormErr: 'FORMERR',
  /** Answer NOTIMP: an opcode other than QUERY. */
  NotImp: 'NOTIMP',
  /** Answer BADVERS (RFC 6891 §6.1.3): an EDNS version other than 0. */
  BadVers: 'BADVERS',
} as const;
export type WireAction = (typeof WireAction)[keyof typeof WireAction];

/** A DNS message that cannot be answered normally. `offset` is where the problem was found. */
export class DnsWireError extends Error {
  override name = 'DnsWireError';
  readonly action: WireAction;
  readonly offset: number;
  /** End of the question section when it was read (BADVERS answers echo the question). */
  readonly questionEnd: number;

  constructor(action: WireAction, message: string, offset: number, questionEnd = 0) {
    super(message);
    this.action = action;
    this.offset = offset;
    this.questionEnd = questionEnd;
  }
}
