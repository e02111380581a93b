"""Reference for `npm run bench`: sends a recorded APDU sequence with pyscard (Debian's
python3-pyscard), the same sequence the terminal sends for one full card read, and
prints one JSON line with the time per sequence."""
import json
import sys
import time

from smartcard.System import readers
from smartcard.scard import SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1

spec = json.load(open(sys.argv[1]))
reader = next(r for r in readers() if str(r) == spec["reader"])
conn = reader.createConnection()
conn.connect(protocol=SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, mode=SCARD_SHARE_SHARED)
apdus = [list(bytes.fromhex(a)) for a in spec["apdus"]]

def one_read():
    for a in apdus:
        data, sw1, sw2 = conn.transmit(a)
        if sw1 not in (0x90, 0x62, 0x61):
            raise SystemExit(f"unexpected status {sw1:02X}{sw2:02X}")

for _ in range(spec["warmup"]):
    one_read()
t0 = time.perf_counter()
for _ in range(spec["count"]):
    one_read()
elapsed = time.perf_counter() - t0
conn.disconnect()
print(json.dumps({"reads": spec["count"], "msPerRead": elapsed * 1000 / spec["count"], "apdusPerRead": len(apdus)}))
