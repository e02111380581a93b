/**
 * The part of the `pcsclite` npm module the terminal uses, as an interface: the real
 * module and native-mocks/pcsclite both satisfy it, and the choice is made in one place.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { ChifaError } from '../../core/errors.ts';

export interface PcscReader extends EventEmitter {
  readonly name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, response: Buffer) => void): void;
  close(): void;
}

export interface PcscContext extends EventEmitter {
  close(): void;
}

export type PcscFactory = () => PcscContext;

const require = createRequire(import.meta.url);

/**
 * `CHIFA_PCSC=mock` selects the drop-in fake (a machine without pcscd, the demo, unit tests);
 * anything else the real binding. A binding that fails to load is reported, not hidden.
 */
export async function loadPcscFactory(kind = process.env.CHIFA_PCSC ?? 'real'): Promise<PcscFactory> {
  if (kind === 'mock') {
    const mock = (await import('../../../native-mocks/pcsclite/index.ts')) as { default: PcscFactory };
    return mock.default;
  }
  try {
    return require('pcsclite') as PcscFactory;
  } catch (e) {
    // pcsclite is an optional dependency: it builds only where libpcsclite-dev is installed.
    throw new ChifaError('no-reader', `The PC/SC binding (npm package pcsclite) is not installed: ${(e as Error).message}`);
  }
}
