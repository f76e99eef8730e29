"""The ``vahti`` command line: a thin layer over the library.

Each command reads its options, calls one library function and prints. Library
errors (``VahtiError``) become one clear line on stderr and an exit code:
0 done; 1 done but something failed and was recorded; 2 usage or configuration
error. ``--debug`` shows tracebacks instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from vahti import __version__
from vahti.errors import ConfigError, VahtiError
from vahti.record import dump_json

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "vahti.db"


def common_options(func: F) -> F:
    """``--db`` and ``--json``, taken by every command (contract §3)."""
    func = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(func)
    func = click.option("--db", "db", envvar="VAHTI_DB", default=DEFAULT_DB, show_default=True,
                        help="Database: a file path (SQLite) or a SQLAlchemy URL (postgresql+psycopg://…). "
                             "Also VAHTI_DB.")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vahti")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """vahti: archive Kausal Watch action pages and report what changed."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command("parse")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--url", help="The page's real URL, when SOURCE is a saved file.")
@common_options
def parse_cmd(source: str, url: str | None, db: str, as_json: bool) -> None:
    """Parse one action page and print its record.

    Exit code 0 for a measure page (also when degraded: the reasons go to
    stderr), 1 when the page is not a measure page.

    \b
    Example:
      vahti parse tests/fixtures/pages/classic_fi_91.html --url https://ilmastovahti.hel.fi/actions/91
    """
    from scraper import parse
    from scraper.source import read_source
    from vahti.render import summary

    body, found_url = read_source(source)
    result = parse(body, url or found_url)
    if as_json:
        click.echo(dump_json(result.to_dict(), indent=2))
    else:
        click.echo(summary(result))
    if result.meta.verdict == "degraded" and as_json:
        click.echo(f"vahti: degraded parse: {'; '.join(result.meta.reasons)}", err=True)
    if result.meta.verdict == "not_a_measure":
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning vahti's errors into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(os.environ.get("VAHTI_DEBUG"))
    try:
        cli.main(args=argv, prog_name="vahti", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("vahti: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except VahtiError as exc:
        if debug:
            raise
        click.echo(f"vahti: {exc}", err=True)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if debug:
            raise
        click.echo(f"vahti: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
