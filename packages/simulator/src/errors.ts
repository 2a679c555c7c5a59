export type SimulatorErrorCode = 'invalid_option' | 'connect_failed' | 'replica_identity_missing' | 'write_failed';

/** The simulator's one error class; `option` names the offending option for invalid_option. */
export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;
  readonly option: string | undefined;
  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown; option?: string }) {
    super(message, options);
    this.name = 'SimulatorError';
    this.code = code;
    this.option = options?.option;
  }
}

export function invalidOption(option: string, requirement: string, got: unknown): SimulatorError {
  return new SimulatorError('invalid_option', `${option} ${requirement}, got ${JSON.stringify(got)}`, { option });
}
