import argparse
import signal
import sys

from .server import FakeStripe


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakestripe", description="Fake Stripe server on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the fake listens on loopback only")
    fake = FakeStripe(host=args.host, port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"fake Stripe listening on {fake.url}", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.shutdown()


if __name__ == "__main__":
    main()
