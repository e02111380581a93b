"""Reference for `npm run bench`: sends a recorded APDU sequence through pyscard's PC/SC
bindings (Debian's python3-pyscard), the same sequence the terminal sends for one full card
read, and prints one JSON line with the time per sequence. The card is left as found
(SCARD_LEAVE_CARD), so the terminal's next read is not disturbed by a reset."""
import json
import sys
import time

from smartcard import scard

spec = json.load(open(sys.argv[1]))
hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
assert hr == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(hr)
hr, card, protocol = scard.SCardConnect(
    ctx, spec["reader"], scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
)
assert hr == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(hr)
apdus = [list(bytes.fromhex(a)) for a in spec["apdus"]]


def one_read():
    for a in apdus:
        hr, response = scard.SCardTransmit(card, protocol, a)
        if hr != scard.SCARD_S_SUCCESS or len(response) < 2 or response[-2] not in (0x90, 0x62, 0x61):
            raise SystemExit(f"transmit failed: {scard.SCardGetErrorMessage(hr)} {response}")


for _ in range(spec["warmup"]):
    one_read()
t0 = time.perf_counter()
for _ in range(spec["count"]):
    one_read()
elapsed = time.perf_counter() - t0
scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
scard.SCardReleaseContext(ctx)
print(json.dumps({"reads": spec["count"], "msPerRead": elapsed * 1000 / spec["count"], "apdusPerRead": len(apdus)}))
