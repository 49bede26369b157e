/**
 * Fault injection for tests and demos: what a real panel (or the network before it) does on a
 * bad day. A fault matches one command (or all) and fires a number of times.
 */
export type FaultKind =
  /** Wait `ms` before handling the call. */
  | 'latency'
  /** Accept the call and never answer. */
  | 'timeout'
  /** Drop the connection without an answer (the command does not run). */
  | 'reset'
  /** nginx's HTML 500 page (the command does not run). */
  | 'html500'
  /** Fail with exit `code` (e.g. 13, 14, 20) instead of running. */
  | 'exit'
  /** Run the command, then drop the connection: "succeeded but the response was lost". */
  | 'lost';

export interface FaultSpec {
  kind: FaultKind;
  command?: string;
  ms?: number;
  code?: number;
  /** How many calls it affects; default 1, Infinity for every call. */
  times?: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class Faults {
  private active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.active.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.active = [];
  }

  /** The faults that apply to this call, consumed. Latency combines with one other fault. */
  take(command: string): { latencyMs: number; fault: ActiveFault | undefined } {
    let latencyMs = 0;
    let fault: ActiveFault | undefined;
    for (const f of this.active) {
      if (f.remaining <= 0 || (f.command && f.command !== command)) continue;
      if (f.kind === 'latency') {
        latencyMs += f.ms ?? 0;
        f.remaining -= 1;
      } else if (!fault) {
        fault = f;
        f.remaining -= 1;
      }
    }
    this.active = this.active.filter((f) => f.remaining > 0);
    return { latencyMs, fault };
  }
}
