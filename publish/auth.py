"""Editors, their passwords and the secret that signs their sign-ins; sign-in and sign-out on the editing server.

The editors file is JSON, ``{"secret": <64 hex digits>, "editors": {name: <argon2id hash>}}``, kept outside the
archive's folder and its ``media/`` (default ``$XDG_CONFIG_HOME/podium/editors.json``), created with mode 0600
in a folder of mode 0700. The secret is generated once, when the file is first written: ``podium serve --edit``
gives it to Datasette (``Datasette(secret=...)``), which signs the ``ds_actor`` and ``ds_csrftoken`` cookies
with it, so a sign-in survives a restart. Nothing here is ever written into the archive.

Sign-in builds on Datasette's own actors: a successful sign-in sets Datasette's ``ds_actor`` cookie, signed
with the ``actor`` namespace, holding ``{"a": {"id": name, "editor": True, "s": ...}, "e": <expiry>}``;
Datasette's built-in ``actor_from_request`` reads it and honours the expiry. Whether an actor may edit is the
permission ``podium-edit`` (``permission_allowed`` in ``plugin.py``): only on an editing server, and only for an
editor still in the editors file whose password has not changed since the sign-in ("s").

For ``publish/edit.py``: ``editing(datasette)``, ``editor_name(datasette, request)`` and
``await can_edit(datasette, request)``.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import stat
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

EDIT_PERMISSION = "podium-edit"  # the Datasette permission an edit needs
DEFAULT_SESSION_HOURS = 12.0
MAX_FAILURES = 5  # wrong passwords for one name ...
FAILURE_WINDOW = 15 * 60  # ... within this many seconds, and that name is refused (HTTP 429) until the window passes
SIGN_IN_PATH = "/-/podium/sign-in"
SIGN_OUT_PATH = "/-/podium/sign-out"
ACTOR_COOKIE = "ds_actor"  # Datasette's own
CSRF_COOKIE = "ds_csrftoken"  # Datasette's asgi-csrf cookie

# letters, digits, . _ - and Chinese characters; 1 to 64 of them
NAME = re.compile(r"^[A-Za-z0-9._\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]{1,64}$")
RESERVED_NAMES = {"root"}  # Datasette gives the actor "root" its debugging pages


class AuthError(Exception):
    """A one-line reason: a bad name or password, an editors file in the wrong place or unreadable."""


# --- where the editors file lives -----------------------------------------------------------------------------

def default_path() -> Path:
    """``$XDG_CONFIG_HOME/podium/editors.json``, else ``~/.config/podium/editors.json``."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "podium" / "editors.json"


def _looks_like_archive_folder(folder: Path) -> bool:
    if folder.name == "media":
        return True
    if (folder / "media").is_dir():
        return True
    for candidate in folder.glob("*.db"):
        try:
            with open(candidate, "rb") as f:
                if f.read(16) == b"SQLite format 3\x00":
                    return True
        except OSError:
            continue
    return False


def check_location(path: Path | str | None = None, archive: Path | str | None = None) -> Path:
    """The editors file's path (the default if None), refused (AuthError) inside the archive's folder (which
    holds ``media/``), or, with no archive named, in a folder that looks like one (a ``media/`` folder or a
    SQLite database beside it, or a folder called media): a copy or rsync of the archive's folder must
    never carry the password hashes and the secret."""
    path = Path(path).expanduser() if path is not None else default_path()
    resolved = path.resolve()
    if resolved.is_dir():
        raise AuthError(f"{path}: is a folder; give the editors file's path (e.g. {default_path()})")
    if archive is not None:
        folder = Path(archive).expanduser().resolve().parent
        if resolved.is_relative_to(folder):
            raise AuthError(f"{path}: the editors file must not lie in the archive's folder {folder} or its media/; "
                            f"keep it elsewhere (default {default_path()})")
    if _looks_like_archive_folder(resolved.parent):
        raise AuthError(f"{path}: the editors file must not lie in an archive's folder or media/; "
                        f"keep it elsewhere (default {default_path()})")
    return path


# --- reading and writing it -----------------------------------------------------------------------------------

_cache: dict[Path, tuple[tuple, dict]] = {}


def _read(path: Path) -> dict | None:
    """The file's content, or None when there is none. Read again only when the file changed (a server
    re-reads it per request, so `podium editors remove` takes effect at once)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise AuthError(f"{path}: cannot read the editors file ({e.strerror})") from e
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise AuthError(f"{path}: the editors file is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                        f"run: chmod 600 {path}")
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == key:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise AuthError(f"{path}: not a readable editors file ({e.__class__.__name__})") from e
    if (not isinstance(data, dict) or not isinstance(data.get("secret"), str) or len(data["secret"]) < 32
            or not isinstance(data.get("editors"), dict)):
        raise AuthError(f"{path}: not an editors file (it needs a secret and editors)")
    _cache[path] = (key, data)
    return data


def _write(path: Path, data: dict) -> None:
    """Write atomically: a new file of mode 0600 beside it, flushed to disk, then renamed over it."""
    _make_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # whatever the umask did
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _make_folder(folder: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)


@contextmanager
def _locked(path: Path):
    """One writer of the editors file at a time (two `podium editors add` at once lose nothing)."""
    _make_folder(path.parent)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _resolve(path: Path | str | None) -> Path:
    return Path(path).expanduser() if path is not None else default_path()


def ensure_file(path: Path | str | None = None) -> Path:
    """The editors file, created (a new secret, no editors) if absent. Returns its path."""
    path = _resolve(path)
    if _read(path) is None:
        with _locked(path):
            if _read(path) is None:
                _write(path, {"secret": secrets.token_hex(32), "editors": {}})
    return path


def secret(path: Path | str | None = None) -> str:
    """The secret that signs sign-in and CSRF cookies (the file is created with a new one if absent)."""
    path = ensure_file(path)
    return _read(path)["secret"]


def editor_names(path: Path | str | None = None) -> list[str]:
    """Every editor's name, sorted (none when there is no file)."""
    data = _read(_resolve(path))
    return sorted(data["editors"]) if data else []


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended parameters


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise AuthError(f"{name!r}: an editor's name is 1 to 64 letters, digits, '.', '_', '-' or Chinese characters")
    if name.lower() in RESERVED_NAMES:
        raise AuthError(f"{name!r}: reserved by Datasette; choose another name")
    return name


def add_editor(name: str, password: str, path: Path | str | None = None, *, replace: bool = False) -> Path:
    """Add an editor (or, with `replace`, set a new password for one: their sign-ins end). Returns the file's path.

    :raises AuthError: a bad name, an empty password, or the name taken without `replace`."""
    check_name(name)
    if not password or not password.strip():
        raise AuthError("the password is empty")
    path = _resolve(path)
    hashed = _hasher().hash(password)
    with _locked(path):
        data = _read(path) or {"secret": secrets.token_hex(32), "editors": {}}
        if name in data["editors"] and not replace:
            raise AuthError(f"{name}: already an editor; give --replace to set a new password")
        data = {**data, "editors": {**data["editors"], name: hashed}}
        _write(path, data)
    return path


def remove_editor(name: str, path: Path | str | None = None) -> Path:
    """Remove an editor: their sign-ins stop giving the right to edit at once.

    :raises AuthError: no such editor."""
    path = _resolve(path)
    with _locked(path):
        data = _read(path)
        if not data or name not in data["editors"]:
            raise AuthError(f"{name}: no such editor in {path}")
        _write(path, {**data, "editors": {k: v for k, v in data["editors"].items() if k != name}})
    return path


_DUMMY_HASH: str | None = None


def verify(name: str, password: str, path: Path | str | None = None) -> bool:
    """Whether `password` is `name`'s. An unknown name costs the same time as a known one."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    global _DUMMY_HASH
    data = _read(_resolve(path))
    hashed = data["editors"].get(name) if data and isinstance(name, str) else None
    if not isinstance(hashed, str):
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher().hash(secrets.token_hex(16))
        hashed, known = _DUMMY_HASH, False
    else:
        known = True
    try:
        return _hasher().verify(hashed, password or "") and known
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _session_stamp(data: dict, name: str) -> str:
    """A mark of the editor's current password, kept in the signed cookie: a new password (or removing and
    adding the editor again) ends the sign-ins made with the old one. Derived with the secret, so it tells
    nothing about the hash."""
    return hmac.new(data["secret"].encode(), data["editors"][name].encode(), hashlib.sha256).hexdigest()[:16]


# --- the editing server ---------------------------------------------------------------------------------------

class SignInLimiter:
    """Wrong passwords per name: after MAX_FAILURES within FAILURE_WINDOW seconds the name is refused until the
    oldest of them leaves the window. Kept in memory (a restart forgets it; one server process)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW, clock=time.monotonic):
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, deque] = {}

    def _recent(self, name: str) -> deque:
        now = self.clock()
        failures = self._failures.get(name, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, name: str) -> int:
        """Seconds until `name` may try again (0: now)."""
        failures = self._recent(name)
        if len(failures) < self.max_failures:
            return 0
        return max(1, math.ceil(failures[-self.max_failures] + self.window - self.clock()))

    def failed(self, name: str) -> None:
        if len(self._failures) > 10_000:  # names tried at random cannot grow it without bound
            for key in [k for k in self._failures if not self._recent(k)]:
                del self._failures[key]
        failures = self._recent(name)
        failures.append(self.clock())
        self._failures[name] = failures

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)


@dataclass
class EditServer:
    """What `make_datasette(edit=True)` attaches to the Datasette object (as `_podium_edit`)."""

    path: Path
    session_hours: float = DEFAULT_SESSION_HOURS
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    # argon2 takes 64 MiB and tens of ms a check: two at a time, however many sign-ins arrive at once
    verifying: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))


def enable_editing(datasette, path: Path | str | None, session_hours: float = DEFAULT_SESSION_HOURS) -> None:
    if not session_hours > 0:
        raise AuthError("--session-hours must be more than 0")
    datasette._podium_edit = EditServer(_resolve(path), float(session_hours))


def _server(datasette) -> EditServer | None:
    server = getattr(datasette, "_podium_edit", None)
    if not isinstance(server, EditServer):
        return None
    # an immutable database is never edited, whatever started the server
    if any(not db.is_mutable for name, db in datasette.databases.items() if name != "_internal"):
        return None
    return server


def editing(datasette) -> bool:
    """Whether this server is the editing instance (`podium serve --edit`, never with --immutable)."""
    return _server(datasette) is not None


def is_editor(datasette, actor) -> bool:
    """Whether `actor` is a signed-in editor who may edit on this server: editing is on, the actor came from
    a sign-in, the editor is still in the editors file and their password unchanged since."""
    server = _server(datasette)
    if server is None or not isinstance(actor, dict) or actor.get("editor") is not True:
        return False
    try:
        data = _read(server.path)
    except AuthError:
        return False
    name = actor.get("id")
    if not data or not isinstance(name, str) or name not in data["editors"]:
        return False
    return hmac.compare_digest(str(actor.get("s", "")), _session_stamp(data, name))


def editor_name(datasette, request) -> str | None:
    """The signed-in editor's name for this request, or None (anonymous, expired, removed, or not an
    editing server). What publish/edit.py records as the change's editor."""
    actor = getattr(request, "actor", None) if request is not None else None
    return actor["id"] if is_editor(datasette, actor) else None


async def can_edit(datasette, request) -> bool:
    """Datasette's permission check of `podium-edit` for this request's actor (what every write must pass)."""
    return bool(await datasette.permission_allowed(getattr(request, "actor", None), EDIT_PERMISSION, default=False))


def permission(datasette, actor, action):
    """The `permission_allowed` hook's answer: `podium-edit` only for an editor on the editing server, and
    False everywhere else (no actor edits a public server); None (no opinion) for other actions."""
    if action != EDIT_PERMISSION:
        return None
    return is_editor(datasette, actor)


# --- sign-in and sign-out -------------------------------------------------------------------------------------

def safe_next(target: str | None) -> str:
    """A local path to go back to after signing in or out: never another site (`//x`, `/\\x`, a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def sign_in_url(next_path: str | None = None) -> str:
    return SIGN_IN_PATH + (f"?next={quote(safe_next(next_path), safe='/')}" if next_path else "")


def _actor_cookie(datasette, data: dict, name: str, hours: float) -> tuple[str, int]:
    from datasette.utils import baseconv

    seconds = int(hours * 3600)
    value = datasette.sign({"a": {"id": name, "editor": True, "s": _session_stamp(data, name)},
                            "e": baseconv.base62.encode(int(time.time()) + seconds)}, "actor")
    return value, seconds


def _current_path(request) -> str:
    return request.path + (f"?{request.query_string}" if request.query_string else "")


async def _page(datasette, request, *, status=200, error=None, name="", next_path="/", headers=None):
    from datasette import Response

    from .i18n import choose_language, labels, other_language, remember_language

    language = choose_language(request)
    html = await datasette.render_template(
        "podium_sign_in.html",
        {"t": labels(language), "lang": language, "error": error, "name": name, "next": next_path,
         "editor": editor_name(datasette, request), "sign_in_path": SIGN_IN_PATH, "sign_out_path": SIGN_OUT_PATH,
         "lang_url": f"{SIGN_IN_PATH}?lang={other_language(language)}&next={quote(next_path, safe='/')}"},
        request=request,
    )
    return remember_language(Response.html(html, status=status, headers=headers or {}), request, language)


def _token_ok(request, form: dict) -> bool:
    """The form's csrftoken matches the ds_csrftoken cookie. asgi-csrf checks this itself whenever the
    browser sends cookies; a POST that carries none skips its check, so the sign-in form checks again:
    a sign-in always comes from a form this site served (no signing someone in from another site)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    token = form.get("csrftoken", "")
    return bool(cookie) and bool(token) and hmac.compare_digest(cookie, token)


async def sign_in(datasette, request):
    """GET: the sign-in form. POST: check the name and password; on success set Datasette's actor cookie
    (HttpOnly, SameSite=Lax, Secure over HTTPS, expiring after the session's hours) and go to `next`."""
    from datasette import Response

    from .i18n import choose_language, labels

    server = _server(datasette)
    if server is None:
        return Response.text("Not found", status=404)
    if request.method == "GET":
        return await _page(datasette, request, next_path=safe_next(request.args.get("next")))
    if request.method != "POST":
        return Response.text("Method not allowed", status=405, headers={"Allow": "GET, POST"})
    t = labels(choose_language(request))
    form = await request.post_vars()
    next_path = safe_next(form.get("next") or request.args.get("next"))
    name = (form.get("name") or "").strip()
    if not _token_ok(request, form):
        return await _page(datasette, request, status=403, error=t["sign_in_expired"], name=name,
                           next_path=next_path)
    wait = server.limiter.retry_after(name)
    if wait:
        return await _page(datasette, request, status=429, name=name, next_path=next_path,
                           error=t["sign_in_too_many"].format(minutes=math.ceil(wait / 60)),
                           headers={"Retry-After": str(wait)})
    try:
        async with server.verifying:
            ok = await asyncio.to_thread(verify, name, form.get("password") or "", server.path)
        data = _read(server.path) if ok else None
    except AuthError:
        ok, data = False, None
    if not ok or not data or name not in data["editors"]:
        server.limiter.failed(name)
        return await _page(datasette, request, status=403, error=t["sign_in_wrong"], name=name, next_path=next_path)
    server.limiter.succeeded(name)
    value, seconds = _actor_cookie(datasette, data, name, server.session_hours)
    response = Response.redirect(next_path, status=303)
    response.set_cookie(ACTOR_COOKIE, value, max_age=seconds, httponly=True, samesite="lax",
                        secure=request.scheme == "https")
    return response


async def sign_out(datasette, request):
    """POST (with the csrftoken, which asgi-csrf checks): end the sign-in and go to `next`."""
    from datasette import Response

    if _server(datasette) is None:
        return Response.text("Not found", status=404)
    if request.method != "POST":
        return Response.text("Method not allowed", status=405, headers={"Allow": "POST"})
    form = await request.post_vars()
    response = Response.redirect(safe_next(form.get("next") or request.args.get("next")), status=303)
    response.set_cookie(ACTOR_COOKIE, "", max_age=0, expires=0, httponly=True, samesite="lax",
                        secure=request.scheme == "https")
    return response


def template_vars(datasette, request) -> dict:
    """For every page's header (`_crumbs.html`): the signed-in editor with a sign-out button, or on the
    editing server a sign-in link."""
    if request is None or not editing(datasette):
        return {}
    name = editor_name(datasette, request)
    here = _current_path(request)
    if name:
        # our sign-out replaces Datasette's "Log out" in its menu (both would clear the same cookie)
        return {"podium_editor": name, "podium_sign_out": SIGN_OUT_PATH, "podium_here": safe_next(here),
                "show_logout": False}
    if request.path == SIGN_IN_PATH:
        return {}
    return {"podium_sign_in_url": sign_in_url(here)}
