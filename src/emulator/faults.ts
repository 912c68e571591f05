import type { EmulatorState, Fault } from './state.ts';

/**
 * Fault injection: the next `times` calls of an endpoint (matched by endpoint name or path) wait
 * `latencyMs` and/or answer `errcode`. Faults are used in the order they were added.
 */
export interface FaultSpec {
  endpoint: string;
  errcode?: number;
  latencyMs?: number;
  times: number;
}

export function addFault(state: EmulatorState, spec: FaultSpec): Fault {
  const fault: Fault = {
    endpoint: spec.endpoint,
    remaining: spec.times,
    ...(spec.errcode === undefined ? {} : { errcode: spec.errcode }),
    ...(spec.latencyMs === undefined ? {} : { latencyMs: spec.latencyMs }),
  };
  state.faults.push(fault);
  return fault;
}

/** Takes one use of the first fault matching any of `keys` (endpoint name, path). */
export function takeFault(state: EmulatorState, keys: readonly string[]): Fault | undefined {
  const index = state.faults.findIndex((f) => f.remaining > 0 && keys.includes(f.endpoint));
  if (index < 0) return undefined;
  const fault = state.faults[index];
  if (!fault) return undefined;
  fault.remaining--;
  if (fault.remaining <= 0) state.faults.splice(index, 1);
  return fault;
}

export function clearFaults(state: EmulatorState): number {
  const n = state.faults.length;
  state.faults.length = 0;
  return n;
}
