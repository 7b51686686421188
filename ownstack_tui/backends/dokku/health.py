"""One app's health on one stack, read in one round: every command at once, each on its own
channel of the stack's pooled connection, so a refresh costs one round trip per stack.

Config values are read only to fingerprint the managed keys here; they never leave this
function.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ownstack_tui import clock
from ownstack_tui.model.deploy_lock import LockHolder
from ownstack_tui.model.health_readings import (
    CertificateReading,
    ProcessReading,
    StackHealthReading,
    config_fingerprint,
    covered_by,
)
from ownstack_tui.model.validation import DEPLOY_LOCK_KEY

from . import commands, health_parsers, parsers
from .client import APP_MISSING_EXIT, CommandResult

if TYPE_CHECKING:
    from .client import DokkuClient


def health_commands(app: str) -> dict[str, commands.RemoteCommand]:
    """The commands of one reading (tests count them: one channel each)."""
    return {
        "version": commands.version(),
        "app": commands.apps_report(app),
        "ps": commands.ps_report(app),
        "scale": commands.ps_scale_show(app),
        "certs": commands.certs_report(app),
        "domains": commands.domains_report(app),
        "letsencrypt": commands.letsencrypt_list(),
        "config": commands.config_export(app),
        "git": commands.git_report(app),
    }


async def read_health(client: DokkuClient, app: str, managed_keys: Iterable[str]) -> StackHealthReading:
    # Connect first, so the commands share one handshake instead of racing for it.
    await client.pool.connection(client.stack)
    wanted = health_commands(app)
    # Each command is bounded by the fleet's [timeouts] command: a hung stack shows as not
    # answering rather than holding up the whole table.
    answers = await asyncio.gather(*(client.run(c) for c in wanted.values()))
    results = dict(zip(wanted, answers, strict=True))
    read_at = clock.now()
    version = parsers.parse_version(_checked(client, results["version"]).stdout)
    if results["app"].exit_status == APP_MISSING_EXIT:
        return StackHealthReading(read_at=read_at, dokku_version=version, app_exists=False)
    app_report = _report(client, results["app"])
    source = parsers.deploy_source_from_report(app_report)
    states = health_parsers.parse_process_states(_report(client, results["ps"]))
    scale = parsers.parse_ps_scale(_checked(client, results["scale"]).stdout)
    processes = tuple(
        ProcessReading(ptype, scale.get(ptype, 0), dict(states.get(ptype, {})))
        for ptype in sorted(set(scale) | set(states))
    )
    config = parsers.parse_config_json(_checked(client, results["config"]).stdout)
    # The rollout's lock record: only its owner leaves here (never the value as config).
    record = config.get(DEPLOY_LOCK_KEY)
    certificates, tls_known = _certificates(client, app, results, read_at)
    return StackHealthReading(
        read_at=read_at,
        dokku_version=version,
        deployed_sha=source.sha,
        locked=app_report.get("locked", app_report.get("app-locked", "")).strip() == "true",
        lock_owner=LockHolder.decode(record).owner if record else None,
        processes=processes,
        certificates=certificates,
        tls_known=tls_known,
        config_fingerprint=config_fingerprint(config, managed_keys),
        last_deploy_at=health_parsers.parse_last_updated(_report(client, results["git"])),
    )


def _certificates(
    client: DokkuClient, app: str, results: dict[str, CommandResult], now: float
) -> tuple[tuple[CertificateReading, ...], bool]:
    """Per domain: the letsencrypt plugin's expiry when it lists the app, else certs:report's."""
    ssl = health_parsers.parse_ssl_report(_report(client, results["certs"]))
    domains = health_parsers.parse_domains_report(_report(client, results["domains"]))
    letsencrypt: health_parsers.LetsencryptEntry | None = None
    plugin = False
    listing = results["letsencrypt"]
    if listing.ok:
        plugin = True
        letsencrypt = health_parsers.parse_letsencrypt_list(listing.stdout).get(app)
    elif not health_parsers.is_unknown_command(listing.stderr):
        raise client.error_for(listing)
    if not ssl.enabled and letsencrypt is None:
        # No certificate: with the plugin the app simply has none; without it we cannot tell.
        known = plugin
        return tuple(CertificateReading(d, None) for d in domains) if known else (), known
    readings = []
    for domain in domains or ssl.hostnames[:1]:
        if letsencrypt is not None:
            readings.append(CertificateReading(domain, now + letsencrypt.seconds_left, "letsencrypt"))
        elif covered_by(domain, ssl.hostnames):
            readings.append(CertificateReading(domain, ssl.expires_at))
        else:
            readings.append(CertificateReading(domain, None))
    return tuple(readings), True


def _checked(client: DokkuClient, result: CommandResult) -> CommandResult:
    if not result.ok:
        raise client.error_for(result)
    return result


def _report(client: DokkuClient, result: CommandResult) -> dict[str, str]:
    reports = parsers.parse_report_json(_checked(client, result).stdout)
    return reports[0] if reports else {}
