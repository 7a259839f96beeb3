// How often the client restarts a server that crashed: a few times within a window, then it stops
// and says so (a server that crashes at every start would otherwise restart forever, silently).
// Pure, so it is tested without VS Code.

export interface CrashDecision {
  restart: boolean;
  /** Crashes counted in the current window, this one included. */
  crashes: number;
  /** What the status item says. */
  status: string;
}

export class CrashPolicy {
  private crashes: number[] = [];

  constructor(
    readonly maxRestarts = 4,
    private readonly windowMs = 3 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  onCrash(): CrashDecision {
    const at = this.now();
    this.crashes = [...this.crashes.filter((t) => at - t < this.windowMs), at];
    const crashes = this.crashes.length;
    if (crashes <= this.maxRestarts) {
      return { restart: true, crashes, status: `gRPC Fork Guard: restarting after a crash (${crashes} of ${this.maxRestarts})` };
    }
    return { restart: false, crashes, status: `gRPC Fork Guard: stopped after ${crashes} crashes in ${Math.round(this.windowMs / 60000)} minutes (Restart Server to try again)` };
  }

  /** A restart the user asked for starts the count again. */
  reset(): void {
    this.crashes = [];
  }
}
