/** A status line for long operations (audit, deleting a big network, listing every page). */
export interface Progress {
  /** Says how far it got (`1200 leases, page 12`). */
  update(detail: string): void;
  /** Erases the line; call it before the result is printed (print and note also erase it). */
  done(): void;
}

const NONE: Progress = { update() {}, done() {} };
const ERASE = '\r\x1b[K';

/**
 * One line on a terminal's stderr, redrawn in place with the time taken so far (every second)
 * and the latest detail. Only for people: off when stderr is not a terminal, and with
 * `-o json|yaml` (scripts get clean streams either way: it never touches stdout).
 */
export class ProgressLine {
  private shown = false;
  private active: { label: string; detail: string; started: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
    private readonly tickMs = 1000,
  ) {}

  start(label: string): Progress {
    if (!this.enabled) return NONE;
    this.finish();
    const timer = setInterval(() => this.draw(), this.tickMs);
    timer.unref();
    const mine = { label, detail: '', started: this.now(), timer };
    this.active = mine;
    this.draw();
    return {
      update: (detail) => {
        if (this.active !== mine) return;
        mine.detail = detail;
        this.draw();
      },
      done: () => {
        if (this.active === mine) this.finish();
      },
    };
  }

  /** Erases the line (before other output); the next tick draws it again. */
  hide(): void {
    if (!this.shown) return;
    this.out.write(ERASE);
    this.shown = false;
  }

  /** Ends whatever progress is showing (the command ended, or failed). */
  stop(): void {
    this.finish();
  }

  private finish(): void {
    if (this.active) clearInterval(this.active.timer);
    this.active = undefined;
    this.hide();
  }

  private draw(): void {
    const a = this.active;
    if (!a) return;
    const seconds = Math.floor((this.now() - a.started) / 1000);
    const parts = [a.detail, seconds >= 1 ? `${seconds}s` : ''].filter(Boolean).join(', ');
    this.out.write(`${ERASE}${a.label}…${parts ? ` (${parts})` : ''}`);
    this.shown = true;
  }
}
