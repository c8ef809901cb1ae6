"""SQL queries per request, per endpoint, counted inside Django (`python -m bench.queries`).

Runs the site's real middleware stack through django.test.Client against the seeded benchmark
database and its Redis, and records for each page:
  cold     anonymous, every cache emptied first (the worst case after a deploy or a flush);
  miss     anonymous, a URL the page cache has not seen while the other caches are warm;
  hit      anonymous, the same URL again (the page cache should answer with no query);
  signed_in  a logged-in visitor (hosts for the host pages).
Counting in-process rather than from Server-Timing keeps this exact whatever headers the app
sends; the numbers do not depend on load.
"""

import argparse
import json
import sys
from pathlib import Path


def _count(client, path: str, address: str):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["default"]) as captured:
        response = client.get(path, REMOTE_ADDR=address, HTTP_ACCEPT_ENCODING="gzip, br")
    return response.status_code, len(captured)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.queries")
    parser.add_argument("--data", type=Path, required=True, help="bench.prepare sample output")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    data = json.loads(args.data.read_text())
    event = data["events"][0] if data["events"] else "no-events-seeded"
    city = data["cities"][0] if data["cities"] else {"slug": "new-york", "name": "New York"}
    keyword = data["keywords"][0] if data["keywords"] else "music"
    prefix = data["prefixes"][0] if data["prefixes"] else "mus"
    category = data["categories"][0] if data["categories"] else "music"
    anonymous_pages = {
        "home": "/",
        "search (keyword + location)": f"/events/?q={keyword}&location={city['name']}",
        "search (filters)": f"/events/?category={category}&date=month&sort=soonest",
        "search (no results)": f"/events/?q={data['no_result_keywords'][0]}",
        "load more (page 2)": f"/events/?category={category}&page=2&partial=1",
        "city": f"/city/{city['slug']}/",
        "event": f"/event/{event}/",
        "event (404)": f"/event/{data['missing_events'][0]}/",
        "autocomplete": f"/search/autocomplete/?q={prefix}",
        "health": "/health/",
        "health ready": "/health/ready/",
    }
    User = get_user_model()
    user = (
        User.objects.filter(username=data["users"][0]["username"]).first()
        if data["users"]
        else None
    )
    host_entry = data["hosts"][0] if data["hosts"] else None
    host = User.objects.filter(username=host_entry["username"]).first() if host_entry else None
    host_event = host_entry["events"][0] if host_entry and host_entry["events"] else event
    signed_in_pages = {
        "home": "/",
        "search (keyword + location)": anonymous_pages["search (keyword + location)"],
        "city": anonymous_pages["city"],
        "event": anonymous_pages["event"],
        "my bookings": "/my-bookings/",
        "profile": "/profile/",
        "favourites": "/favorites/",
    }
    host_pages = {
        "my events": "/my-events/",
        "edit form": f"/event/{host_event}/edit/",
        "bookings list": f"/event/{host_event}/bookings/",
        "create form": "/create/",
    }

    anonymous = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    results = {"anonymous": {}, "signed_in": {}, "host": {}}
    for n, (name, path) in enumerate(anonymous_pages.items()):
        cache.clear()
        status, cold = _count(anonymous, path, f"10.250.0.{n + 1}")
        sep = "&" if "?" in path else "?"
        _count(anonymous, f"{path}{sep}bench_warm=1", f"10.250.1.{n + 1}")
        _status, miss = _count(anonymous, f"{path}{sep}bench_miss=1", f"10.250.2.{n + 1}")
        _status, hit = _count(anonymous, f"{path}{sep}bench_miss=1", f"10.250.3.{n + 1}")
        results["anonymous"][name] = {
            "path": path,
            "status": status,
            "cold": cold,
            "miss": miss,
            "hit": hit,
        }
    for group, who, pages in (("signed_in", user, signed_in_pages), ("host", host, host_pages)):
        if who is None:
            continue
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        client.force_login(who)
        for n, (name, path) in enumerate(pages.items()):
            # The first visit may fill per-user caches; the second is the steady state.
            _status, first = _count(client, path, f"10.251.0.{n + 1}")
            status, queries = _count(client, path, f"10.251.1.{n + 1}")
            results[group][name] = {
                "path": path,
                "status": status,
                "queries": queries,
                "first_visit": first,
            }
    args.out.write_text(json.dumps(results, indent=1))
    print(f"queries: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
