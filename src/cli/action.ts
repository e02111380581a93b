/** Wraps a command's work: parses the shared options, turns any failure into the contract's error document. */
import type { Command } from 'commander';
import { parseLang, type GlobalOptions } from './context.ts';
import { reportError } from './output.ts';

export type Handler<O> = (g: GlobalOptions, opts: O, args: string[]) => Promise<void>;

export function action<O = Record<string, unknown>>(handler: Handler<O>) {
  return async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const all = cmd.optsWithGlobals() as Record<string, unknown>;
    const json = all.json === true;
    let g: GlobalOptions = { json, lang: 'fr' };
    try {
      g = { json, lang: parseLang(all.lang as string | undefined), home: all.home as string | undefined, trust: all.trust as string | undefined };
      await handler(g, all as O, cmd.args);
    } catch (e) {
      process.exitCode = reportError(e, g);
    }
  };
}
