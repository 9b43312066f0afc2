"""The bed's AWS: moto's server (every service) with the bed's additions, on one port.

    python server.py --port 5000 [--host 127.0.0.1] [--speed 30]

Additions: ECS rollouts, one-off tasks (RunTask) and CodeDeploy ECS blue/green lifecycles that
progress over time (bed_ecs, bed_ecs_run, bed_codedeploy) and fail on CloudWatch alarms (bed_ecs_alarms,
bed_codedeploy), RegisterTaskDefinition refusing what
real ECS refuses (bed_ecs_validate), STS web-identity checks and per-account bed keys (bed_sts), CloudWatch metric math
(bed_cloudwatch), IAM policies enforced on assumed-role credentials when a test turns it on (bed_iam), and the
`/_bed/` control endpoints (bed_control).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--speed", type=float, default=float(os.environ.get("EXPEDITOR_BED_SPEED", "30")))
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    import bed_cloudwatch
    import bed_codedeploy
    import bed_control
    import bed_ecs
    import bed_ecs_alarms
    import bed_ecs_run
    import bed_ecs_validate
    import bed_iam
    import bed_sts
    from bed_engine import ENGINE

    ENGINE.speed = args.speed
    bed_ecs.install()
    bed_ecs_alarms.install()
    bed_ecs_run.install()
    bed_ecs_validate.install()
    bed_codedeploy.install()
    bed_cloudwatch.install()
    bed_sts.install()
    bed_iam.install()
    ENGINE.start_ticker()

    # One line per request would only fill the log; errors still reach it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = bed_control.BedApp(DomainDispatcherApplication(create_backend_app))
    print(f"[bed] moto with the bed's extensions on http://{args.host}:{args.port} (speed {args.speed})", flush=True)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
