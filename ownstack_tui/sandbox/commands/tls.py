"""``certs:report``, ``domains:report`` and the letsencrypt plugin's ``letsencrypt:list``.

The stand-in host has one wildcard certificate (``*.<stack>.sandbox.test``) covering every
app's default domain; faults replace its expiry. With the letsencrypt plugin installed it
counts as issued by Let's Encrypt and ``letsencrypt:list`` lists every app.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ownstack_tui.sandbox.commands.common import Ctx, verify_app
from ownstack_tui.sandbox.report import run_report

DAY = 86400
EXPIRING_SECONDS = 6 * DAY + DAY // 2  # "expires in 6 days" stays true for half a day
EXPIRED_SECONDS = -2 * DAY
VALIDITY_SECONDS = 90 * DAY
RENEWAL_GRACE_SECONDS = 30 * DAY  # the plugin's default graceperiod


@dataclass(frozen=True)
class Certificate:
    expires_at: int
    hostname: str
    letsencrypt: bool

    @property
    def starts_at(self) -> int:
        return self.expires_at - VALIDITY_SECONDS


def certificate(ctx: Ctx) -> Certificate | None:
    """The certificate every app on this stack serves, after faults."""
    now = int(time.time())
    faults = ctx.faults
    if faults.cert_expired:
        expires: int | None = now + EXPIRED_SECONDS
    elif faults.cert_expiring:
        expires = now + EXPIRING_SECONDS
    else:
        expires = ctx.state.certificate_expires_at()
    if expires is None:
        return None
    return Certificate(expires, f"*.{ctx.state.global_vhost()}", ctx.state.has_plugin("letsencrypt"))


def openssl_time(unix: int) -> str:
    """``openssl x509 -text``'s ``Not After :`` form: ``Dec  8 12:00:00 2026 GMT``."""
    t = time.gmtime(unix)
    return time.strftime(f"%b {t.tm_mday:2d} %H:%M:%S %Y GMT", t)


def certs_values(ctx: Ctx, app: str) -> dict[str, str]:
    values = {
        "--ssl-dir": f"/home/dokku/{app}/tls",
        "--ssl-enabled": "false",
        "--ssl-expires-at": "",
        "--ssl-hostnames": "",
        "--ssl-issuer": "",
        "--ssl-starts-at": "",
        "--ssl-subject": "",
        "--ssl-verified": "",
    }
    cert = certificate(ctx)
    if cert is None:
        return values
    issuer = "C = US, O = Let's Encrypt, CN = R11" if cert.letsencrypt else f"CN = {cert.hostname}"
    values.update(
        {
            "--ssl-enabled": "true",
            "--ssl-expires-at": openssl_time(cert.expires_at),
            "--ssl-hostnames": cert.hostname,
            "--ssl-issuer": issuer,
            "--ssl-starts-at": openssl_time(cert.starts_at),
            "--ssl-subject": f"CN={cert.hostname}",
            "--ssl-verified": "verified by a certificate authority" if cert.letsencrypt else "self signed",
        }
    )
    return values


async def certs_report(ctx: Ctx, args: list[str]) -> int:
    await run_report(
        ctx.console,
        "ssl",
        args,
        ctx.state.list_apps,
        lambda app: verify_app(ctx, app) and None,
        lambda app: certs_values(ctx, app),
        legacy=False,
    )
    return 0


def domains_values(ctx: Ctx, app: str) -> dict[str, str]:
    vhost = ctx.state.global_vhost()
    return {
        "--domains-app-enabled": "true",
        "--domains-app-vhosts": f"{app}.{vhost}",
        "--domains-global-enabled": "true",
        "--domains-global-vhosts": vhost,
    }


async def domains_report(ctx: Ctx, args: list[str]) -> int:
    await run_report(
        ctx.console,
        "domains",
        args,
        ctx.state.list_apps,
        lambda app: verify_app(ctx, app) and None,
        lambda app: domains_values(ctx, app),
        legacy=False,
    )
    return 0


def format_timediff(seconds: int) -> str:
    """The plugin's ``fn-letsencrypt-format-timediff``: ``5d, 23h, 59m, 59s`` / ``... ago``."""
    negative = seconds < 0
    left = abs(seconds)
    parts = []
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60), ("s", 1)):
        amount, left = divmod(left, size)
        if amount > 0:
            parts.append(f"{amount}{unit}")
    text = ", ".join(parts)
    return f"{text} ago" if negative else text


async def letsencrypt_list(ctx: Ctx, args: list[str]) -> int:
    if not ctx.state.has_plugin("letsencrypt"):
        # Without the plugin dokku does not know the command (dispatch's wording).
        await ctx.console.warn(f"`{' '.join(['letsencrypt:list', *args])}` is not a dokku command.")
        await ctx.console.warn("See `dokku help` for a list of available commands.")
        return 1
    if not ctx.console.quiet:
        # dokku_col_log_info1_quiet: printf "%-6s %-18s %-25s %-25s %-25s\n"
        await ctx.console.line(
            f"{'----->':<6} {'App name':<18} {'Certificate Expiry':<25} "
            f"{'Time before expiry':<25} {'Time before renewal':<25}"
        )
    cert = certificate(ctx)
    if cert is None:
        return 0
    now = int(time.time())
    expire_date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(cert.expires_at))
    expire_time = format_timediff(cert.expires_at - now)
    renew_time = format_timediff(cert.expires_at - RENEWAL_GRACE_SECONDS - now)
    for app in ctx.state.list_apps():
        await ctx.console.line(f"{app:<25} {expire_date:<25} {expire_time:<25} {renew_time:<25}")
    return 0


COMMANDS = {
    "certs:report": certs_report,
    "domains:report": domains_report,
    "letsencrypt:list": letsencrypt_list,
}
