/**
 * What the card protocol needs from a transport: one APDU out, one response back.
 * The PC/SC adapter, the mock and the emulator all provide it, so the protocol code
 * runs unchanged against any of them.
 */
export interface CardConnection {
  /**
   * Sends one command APDU and returns the raw response (data then SW1 SW2).
   * Throws ChifaError `card-removed` when the card left, `card-reset` when another
   * program reset it (call `recover` before going on), `reader-error` otherwise.
   */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Re-establishes the connection after `card-reset` (SCardReconnect). */
  recover(): Promise<void>;
}
