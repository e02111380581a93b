/** Holder and professional PIN verification, with the tries-left counter as the card reports it. */
import { SW, triesLeft } from '../apdu.ts';
import { ChifaError } from '../errors.ts';
import type { ApduSession } from './apdu-session.ts';
import { verifyPin } from './commands.ts';
import { unexpected } from './files.ts';

export async function presentPin(session: ApduSession, pin: string, whose: 'holder' | 'professional'): Promise<void> {
  const r = await session.send(verifyPin(pin));
  if (r.sw === SW.OK) return;
  const left = triesLeft(r.sw);
  // `63 C0` is a blocked PIN too, whatever the card says next.
  if (r.sw === SW.AUTH_METHOD_BLOCKED || left === 0) {
    throw new ChifaError('pin-blocked', `The ${whose} PIN is blocked.`, { whose });
  }
  if (left !== null) {
    throw new ChifaError('wrong-pin', `Wrong ${whose} PIN: ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
      whose,
      triesLeft: left,
    });
  }
  throw unexpected(`VERIFY of the ${whose} PIN`, r.sw);
}
