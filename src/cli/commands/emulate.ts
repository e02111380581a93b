/** `chifa card emulate`: serves a card document to pcscd through vpcd until stopped, re-inserting it when pcscd restarts. */
import { resolve } from 'node:path';
import { connectVpcd, type VpcdLink } from '../../adapters/vpcd/link.ts';
import { ChifaError } from '../../core/errors.ts';
import { loadVirtualCard } from '../../emulator/document.ts';
import { paths, type GlobalOptions } from '../context.ts';
import { log, printJson } from '../output.ts';

const RETRY_MS = 500;
const STOP_GRACE_MS = 2000;

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ChifaError('invalid-input', `--port: ${text} is not a TCP port.`);
  return port;
}

export async function emulate(g: GlobalOptions, file: string, portText: string): Promise<void> {
  const port = parsePort(portText);
  const card = await loadVirtualCard(resolve(file), { trustDir: paths(g).trust });
  let stopping = false;
  let link: VpcdLink | null = null;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopping = true;
    void link?.close();
    wake?.();
    // A link pcscd never answers must not keep a stopped emulator (and its card) alive.
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let announced = false;
  let waitingSaid = false;
  while (!stopping) {
    try {
      link = await connectVpcd(card, { port });
    } catch (e) {
      if (!waitingSaid) log(`vpcd is not listening on port ${port} (${(e as Error).message}); waiting for pcscd…`);
      waitingSaid = true;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, RETRY_MS);
      });
      continue;
    }
    waitingSaid = false;
    if (stopping) {
      await link.close();
      break;
    }
    if (!announced && g.json) printJson({ serving: file, port });
    announced = true;
    log(`Card ${file} inserted in the virtual reader on port ${port}. Ctrl-C removes it.`);
    const closed = await link.closed;
    if (!stopping) log(`pcscd ended the link${closed.error ? ` (${closed.error.message})` : ''}; inserting the card again…`);
  }
}
