"""Editors and sign-in (issue 19, items 1, 2 and 7's secrets): the editors file, `podium editors`, the sign-in
and sign-out pages on the editing server, Datasette's actor cookie and the `podium-edit` permission, and no
password, hash or secret anywhere a reader or the archive can see. In process (Datasette's client), no browser."""

import html
import json
import re
import sqlite3
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import copy_archive
from podium.cli import main as cli
from podium.publish import auth, make_datasette

PASSWORD = "correct horse 电池 staple"


@pytest.fixture
def editors(tmp_path):
    """An editors file outside any archive's folder, with the editor alice."""
    path = tmp_path / "config" / "podium" / "editors.json"
    auth.add_editor("alice", PASSWORD, path)
    return path


@pytest.fixture
def archive(site_archive, tmp_path):
    return copy_archive(site_archive, tmp_path / "site")


@pytest.fixture
def editing(archive, editors):
    return make_datasette(archive, edit=True, auth_path=editors)


async def _form(ds, path="/-/podium/sign-in", **params):
    """GET the sign-in page: (its csrftoken, the cookies the browser now holds)."""
    page = await ds.client.get(path, params=params)
    assert page.status_code == 200
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return token, {"ds_csrftoken": page.cookies["ds_csrftoken"]}


async def _sign_in(ds, name="alice", password=PASSWORD, next_path=None, cookies=None):
    token, got = await _form(ds)
    data = {"csrftoken": token, "name": name, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return await ds.client.post("/-/podium/sign-in", data=data, cookies={**got, **(cookies or {})})


def _set_cookie(response, name) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


# --- the editors file ---------------------------------------------------------------------------------------

def test_editors_file_is_private_and_outside_the_archive(tmp_path, editors, archive):
    assert stat.S_IMODE(editors.stat().st_mode) == 0o600
    assert stat.S_IMODE(editors.parent.stat().st_mode) == 0o700
    data = json.loads(editors.read_text(encoding="utf-8"))
    assert set(data) == {"secret", "editors"} and len(data["secret"]) == 64 and list(data["editors"]) == ["alice"]
    first_secret = data["secret"]
    auth.add_editor("bob", "another one", editors)
    assert auth.secret(editors) == first_secret  # generated once, kept by every write
    assert stat.S_IMODE(editors.stat().st_mode) == 0o600
    # never in the archive's folder or its media/, whatever asks
    for inside in (archive.parent / "editors.json", archive.parent / "media" / "editors.json"):
        with pytest.raises(auth.AuthError, match="must not lie in"):
            auth.check_location(inside, archive)
        with pytest.raises(auth.AuthError, match="must not lie in"):
            auth.check_location(inside)  # no archive named: the folder looks like one
        with pytest.raises(auth.AuthError, match="must not lie in"):
            make_datasette(archive, edit=True, auth_path=inside)
        assert not inside.exists()
    result = CliRunner().invoke(cli, ["editors", "add", "carol", "--auth", str(archive.parent / "e.json")], input="pw\n")
    assert result.exit_code == 1 and "must not lie in" in result.output and len(result.output.splitlines()) == 1
    # a file others can read is refused, not used
    editors.chmod(0o644)
    with pytest.raises(auth.AuthError, match="chmod 600"):
        auth.editor_names(editors)


def test_default_editors_file_is_in_the_user_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert auth.default_path() == tmp_path / "xdg" / "podium" / "editors.json"
    assert auth.check_location(None) == auth.default_path()
    auth.add_editor("alice", PASSWORD)
    assert auth.editor_names() == ["alice"] and stat.S_IMODE(auth.default_path().stat().st_mode) == 0o600


def test_hash_never_equals_the_password_and_verify_works(editors):
    stored = json.loads(editors.read_text(encoding="utf-8"))["editors"]["alice"]
    assert stored != PASSWORD and PASSWORD not in stored and stored.startswith("$argon2id$")
    assert auth.verify("alice", PASSWORD, editors)
    assert not auth.verify("alice", PASSWORD + " ", editors)
    assert not auth.verify("alice", "", editors)
    assert not auth.verify("nobody", PASSWORD, editors)
    auth.add_editor("alice", "new password", editors, replace=True)
    assert auth.verify("alice", "new password", editors) and not auth.verify("alice", PASSWORD, editors)


@pytest.mark.parametrize("name, password, reason", [
    ("bob", "", "password is empty"), ("bob", "   ", "password is empty"), ("bad name", "pw", "letters, digits"),
    ("", "pw", "letters, digits"), ("a/b", "pw", "letters, digits"), ("root", "pw", "reserved"),
    ("alice", "pw", "already an editor"),
])
def test_add_editor_refuses(editors, name, password, reason):
    with pytest.raises(auth.AuthError, match=reason):
        auth.add_editor(name, password, editors)
    assert auth.editor_names(editors) == ["alice"]


def test_editors_commands_read_the_password_from_standard_input(tmp_path):
    path = tmp_path / "cfg" / "editors.json"
    run = CliRunner().invoke
    assert run(cli, ["editors", "add", "李雷", "--auth", str(path)], input="密码 one\n").exit_code == 0
    assert run(cli, ["editors", "add", "han.mei-2", "--auth", str(path)], input="two\n").exit_code == 0
    assert auth.verify("李雷", "密码 one", path) and auth.verify("han.mei-2", "two", path)
    listed = run(cli, ["editors", "list", "--auth", str(path)])
    assert listed.exit_code == 0 and listed.stdout.splitlines() == ["han.mei-2", "李雷"]
    for args, stdin, message in ((["add", "李雷"], "x\n", "already an editor"), (["add", "nobody"], "\n", "empty"),
                                 (["remove", "nobody"], None, "no such editor"), (["add", "a b"], "x\n", "letters")):
        failed = run(cli, ["editors", *args, "--auth", str(path)], input=stdin)
        assert failed.exit_code == 1 and message in failed.output and len(failed.output.strip().splitlines()) == 1
    assert run(cli, ["editors", "remove", "李雷", "--auth", str(path)]).exit_code == 0
    assert run(cli, ["editors", "list", "--auth", str(path)]).stdout.splitlines() == ["han.mei-2"]
    # and as a user runs it, in a process of its own with a pipe for standard input (the default file: the
    # session's XDG_CONFIG_HOME)
    done = subprocess.run([sys.executable, "-m", "podium", "editors", "add", "wang"], input="pipe pw\n",
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert auth.verify("wang", "pipe pw", auth.default_path())
    assert "pipe pw" not in done.stdout + done.stderr
    listed = subprocess.run([sys.executable, "-m", "podium", "editors", "list"], capture_output=True, text=True)
    assert "wang" in listed.stdout.splitlines()
    removed = subprocess.run([sys.executable, "-m", "podium", "editors", "remove", "wang"], capture_output=True,
                             text=True)
    assert removed.returncode == 0 and "wang" not in auth.editor_names()


def test_serve_refuses_edit_with_immutable(archive, editors):
    result = CliRunner().invoke(cli, ["serve", "--db", str(archive), "--edit", "--immutable", "--auth", str(editors)])
    assert result.exit_code == 2 and "--immutable" in result.output
    with pytest.raises(auth.AuthError):
        make_datasette(archive, edit=True, immutable=True, auth_path=editors)


def test_sign_in_limiter_counts_failures_in_a_window():
    now = [1000.0]
    limiter = auth.SignInLimiter(max_failures=5, window=900, clock=lambda: now[0])
    for k in range(5):
        assert limiter.retry_after("alice") == 0
        limiter.failed("alice")
        now[0] += 10
    assert limiter.retry_after("alice") == 900 - 50 and limiter.retry_after("bob") == 0
    now[0] = 1000.0 + 900 + 0.5  # the first failure has left the window
    assert limiter.retry_after("alice") == 0
    limiter.failed("alice")
    assert limiter.retry_after("alice") > 0
    limiter.succeeded("alice")
    assert limiter.retry_after("alice") == 0


@pytest.mark.parametrize("target, expected", [
    ("/meeting/seed?s=1-0", "/meeting/seed?s=1-0"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
    ("/\\evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"), (None, "/"), ("/a\nb", "/"),
])
def test_next_is_a_local_path_only(target, expected):
    assert auth.safe_next(target) == expected


# --- signing in and out ---------------------------------------------------------------------------------------

async def test_sign_in_sets_datasettes_actor_cookie_and_the_editor_is_seen(editing):
    ds = editing
    page = await ds.client.get("/-/podium/sign-in", headers={"Accept-Language": "en"})
    assert "Editors: sign in" in page.text and 'name="password"' in page.text and 'type="password"' in page.text
    zh = await ds.client.get("/-/podium/sign-in", headers={"Accept-Language": "zh-CN"})
    assert "编辑登录" in zh.text and "密码" in zh.text
    response = await _sign_in(ds, next_path="/meeting/seed?s=1-0")
    assert response.status_code == 303 and response.headers["location"] == "/meeting/seed?s=1-0"
    cookie = _set_cookie(response, "ds_actor")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Max-Age=43200" in cookie and "Secure" not in cookie  # plain HTTP: a Secure cookie would never return
    actor_cookie = {"ds_actor": response.cookies["ds_actor"]}
    actor = (await ds.client.get("/-/actor.json", cookies=actor_cookie)).json()["actor"]
    assert actor["id"] == "alice" and actor["editor"] is True
    assert await ds.permission_allowed(actor, auth.EDIT_PERMISSION) is True
    home = (await ds.client.get("/", cookies=actor_cookie)).text
    header = home[home.index("<header>"):home.index("</header>")]
    assert "<strong>alice</strong>" in header and 'action="/-/podium/sign-out"' in header and "退出登录" in header
    assert 'action="/-/logout"' not in header  # ours replaces Datasette's own "Log out"
    # anonymous on the editing server: a sign-in link that comes back here
    anonymous = (await ds.client.get("/meeting/seed")).text
    assert 'href="/-/podium/sign-in?next=/meeting/seed"' in anonymous and "sign-out" not in anonymous


async def test_sign_in_over_https_sets_a_secure_cookie(editing):
    ds = editing
    page = await ds.client.request("GET", "https://localhost/-/podium/sign-in", avoid_path_rewrites=True)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    response = await ds.client.request("POST", "https://localhost/-/podium/sign-in", avoid_path_rewrites=True,
                                       data={"csrftoken": token, "name": "alice", "password": PASSWORD},
                                       cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]})
    assert response.status_code == 303
    cookie = _set_cookie(response, "ds_actor")
    assert "Secure" in cookie and "HttpOnly" in cookie


@pytest.mark.parametrize("next_path", ["//evil.example/", "https://evil.example/"])
async def test_sign_in_goes_back_to_a_local_path_only(editing, next_path):
    response = await _sign_in(editing, next_path=next_path)
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_wrong_password_is_refused_and_after_five_the_name_answers_429(editing):
    ds = editing
    for attempt in range(5):
        response = await _sign_in(ds, password=f"wrong {attempt}")
        assert response.status_code == 403 and "ds_actor=" not in response.headers.get("set-cookie", "")
        assert "Wrong name or password" in response.text or "用户名或密码不正确" in response.text
    sixth = await _sign_in(ds, password="wrong again")
    assert sixth.status_code == 429 and 0 < int(sixth.headers["retry-after"]) <= 15 * 60
    right = await _sign_in(ds)  # even the right password waits for the window to pass
    assert right.status_code == 429 and "ds_actor=" not in right.headers.get("set-cookie", "")
    auth.add_editor("bob", "bobs", ds._podium_edit.path)
    assert (await _sign_in(ds, name="bob", password="bobs")).status_code == 303  # another name is not slowed


async def test_no_sign_in_without_edit(archive, editors):
    for ds in (make_datasette(archive), make_datasette(archive, immutable=True)):
        assert (await ds.client.get("/-/podium/sign-in")).status_code == 404
        assert (await ds.client.post("/-/podium/sign-in", data={"name": "alice", "password": PASSWORD})).status_code \
            == 404
        assert (await ds.client.post("/-/podium/sign-out")).status_code == 404
        assert "sign-in" not in (await ds.client.get("/")).text


def _editor_cookie(ds, editors, name="alice", expires_in=3600.0) -> dict:
    from datasette.utils import baseconv

    data = json.loads(editors.read_text(encoding="utf-8"))
    actor = {"id": name, "editor": True, "s": auth._session_stamp(data, name)}
    return {"ds_actor": ds.sign({"a": actor, "e": baseconv.base62.encode(int(time.time() + expires_in))}, "actor")}


async def test_expired_sign_in_is_no_actor(editing, editors):
    ds = editing
    fresh = _editor_cookie(ds, editors)
    assert (await ds.client.get("/-/actor.json", cookies=fresh)).json()["actor"]["id"] == "alice"
    expired = _editor_cookie(ds, editors, expires_in=-10)
    assert (await ds.client.get("/-/actor.json", cookies=expired)).json()["actor"] is None
    assert "sign-out" not in (await ds.client.get("/", cookies=expired)).text


async def test_sign_in_survives_a_restart_and_ends_with_the_editor_or_their_password(archive, editors):
    response = await _sign_in(make_datasette(archive, edit=True, auth_path=editors))
    cookie = {"ds_actor": response.cookies["ds_actor"]}
    restarted = make_datasette(archive, edit=True, auth_path=editors)  # the same secret, from the file
    actor = (await restarted.client.get("/-/actor.json", cookies=cookie)).json()["actor"]
    assert actor["id"] == "alice" and await restarted.permission_allowed(actor, auth.EDIT_PERMISSION)
    auth.add_editor("alice", "a new password", editors, replace=True)  # a new password ends the old sign-ins
    assert not await restarted.permission_allowed(actor, auth.EDIT_PERMISSION)
    response = await _sign_in(restarted, password="a new password")
    actor = (await restarted.client.get("/-/actor.json", cookies={"ds_actor": response.cookies["ds_actor"]})).json()
    assert await restarted.permission_allowed(actor["actor"], auth.EDIT_PERMISSION)
    auth.remove_editor("alice", editors)  # removing an editor ends their sign-ins at once
    assert not await restarted.permission_allowed(actor["actor"], auth.EDIT_PERMISSION)
    assert "sign-out" not in (await restarted.client.get("/", cookies={"ds_actor": response.cookies["ds_actor"]})).text


async def test_sign_out_ends_the_sign_in(editing):
    ds = editing
    token, csrf = await _form(ds)
    response = await ds.client.post("/-/podium/sign-in", data={"csrftoken": token, "name": "alice",
                                                               "password": PASSWORD}, cookies=csrf)
    cookies = {**csrf, "ds_actor": response.cookies["ds_actor"]}
    page = (await ds.client.get("/meeting/seed", cookies=cookies)).text
    assert re.search(r'class="podium-signed-in".*?name="csrftoken" value="([^"]+)"', page, re.S).group(1) == token
    out = await ds.client.post("/-/podium/sign-out", data={"csrftoken": token, "next": "/meeting/seed"},
                               cookies=cookies)
    assert out.status_code == 303 and out.headers["location"] == "/meeting/seed"
    cleared = _set_cookie(out, "ds_actor")
    assert re.match(r'ds_actor=(""|);', cleared) and "Max-Age=0" in cleared and "HttpOnly" in cleared
    assert (await ds.client.get("/-/podium/sign-out")).status_code == 405


async def test_cross_site_posts_without_the_csrftoken_are_refused(editing):
    ds = editing
    response = await _sign_in(ds)
    actor = {"ds_actor": response.cookies["ds_actor"]}
    token, csrf = await _form(ds)
    evil = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}
    # what another site's form can send: the victim's cookies (if the browser sends them at all), no token
    for cookies in (actor, {**actor, **csrf}):
        out = await ds.client.post("/-/podium/sign-out", data={"next": "/"}, cookies=cookies, headers=evil)
        assert out.status_code == 403 and "ds_actor=" not in out.headers.get("set-cookie", "")
    wrong_token = await ds.client.post("/-/podium/sign-out", data={"csrftoken": "x" + token}, cookies={**actor, **csrf})
    assert wrong_token.status_code == 403
    json_post = await ds.client.post("/-/podium/sign-out", json={"next": "/"}, cookies={**actor, **csrf}, headers=evil)
    assert json_post.status_code == 403
    # signing someone in from another site: no cookies at all (asgi-csrf lets those through), so the form checks
    forged = await ds.client.post("/-/podium/sign-in", data={"name": "alice", "password": PASSWORD}, headers=evil)
    assert forged.status_code == 403 and "ds_actor=" not in forged.headers.get("set-cookie", "")
    forged = await ds.client.post("/-/podium/sign-in", data={"name": "alice", "password": PASSWORD, "csrftoken": token},
                                  headers=evil)  # a token without its cookie
    assert forged.status_code == 403
    # the same site's form, with its token: accepted
    assert (await ds.client.post("/-/podium/sign-out", data={"csrftoken": token}, cookies={**actor, **csrf})) \
        .status_code == 303


async def test_no_actor_may_edit_a_public_server(archive, editors):
    editing_ds = make_datasette(archive, edit=True, auth_path=editors)
    signed = await _sign_in(editing_ds)
    editor_actor = (await editing_ds.client.get("/-/actor.json", cookies={"ds_actor": signed.cookies["ds_actor"]})
                    ).json()["actor"]
    assert await editing_ds.permission_allowed(editor_actor, auth.EDIT_PERMISSION)
    for public in (make_datasette(archive), make_datasette(archive, immutable=True)):
        assert not auth.editing(public)
        assert await public.permission_allowed(editor_actor, auth.EDIT_PERMISSION) is False
        assert await public.permission_allowed(None, auth.EDIT_PERMISSION) is False
        assert await public.permission_allowed({"id": "root"}, auth.EDIT_PERMISSION) is False
        # the editing server's cookie means nothing here (another secret) ...
        assert (await public.client.get("/-/actor.json", cookies={"ds_actor": signed.cookies["ds_actor"]})
                ).json()["actor"] is None
        # ... and even a valid editor cookie signed with this server's own secret gives no right to edit
        own = _editor_cookie(public, editors)
        actor = (await public.client.get("/-/actor.json", cookies=own)).json()["actor"]
        assert actor["id"] == "alice" and await public.permission_allowed(actor, auth.EDIT_PERMISSION) is False
    # an immutable database is never edited, whatever is attached to the server
    forced = make_datasette(archive, immutable=True)
    auth.enable_editing(forced, editors)
    assert not auth.editing(forced) and not await forced.permission_allowed(editor_actor, auth.EDIT_PERMISSION)


async def test_helpers_for_the_edit_endpoints(editing, editors):
    from datasette.utils.asgi import Request

    ds = editing
    assert auth.editing(ds)
    cookie = _editor_cookie(ds, editors)
    actor = (await ds.client.get("/-/actor.json", cookies=cookie)).json()["actor"]
    request = Request.fake("/meeting/seed")
    request.scope["actor"] = actor
    assert auth.editor_name(ds, request) == "alice" and await auth.can_edit(ds, request)
    request.scope["actor"] = None
    assert auth.editor_name(ds, request) is None and not await auth.can_edit(ds, request)
    request.scope["actor"] = {"id": "alice"}  # not from a sign-in
    assert auth.editor_name(ds, request) is None and not await auth.can_edit(ds, request)


# --- no password, hash or secret anywhere a reader or the archive can see -------------------------------------

async def test_no_password_hash_or_secret_in_any_table_page_or_published_copy(archive, editors, tmp_path):
    from podium.publish.copy import publish_copy

    data = json.loads(editors.read_text(encoding="utf-8"))
    hashed, secret = data["editors"]["alice"], data["secret"]
    needles = [hashed, hashed.split("$")[-1], hashed.split("$")[-2], secret, PASSWORD]
    ds = make_datasette(archive, edit=True, auth_path=editors)
    signed = await _sign_in(ds)
    actor_cookie = {"ds_actor": signed.cookies["ds_actor"]}

    def assert_clean(where: str, text: str):
        for needle in needles:
            assert needle not in text, f"{where} holds a secret"

    # every page the crawler reaches (anonymous and signed in), and Datasette's own introspection pages
    seen = set()
    for cookies in ({}, actor_cookie):
        frontier = ["/", "/-/podium/sign-in", "/-/metadata.json", "/-/settings.json", "/-/actor.json", "/-/plugins.json",
                    "/-/versions.json", "/-/databases.json", "/-/threads.json", "/-/config.json", "/archive.json"]
        for depth in range(3):
            found = []
            for url in frontier:
                if (url, bool(cookies)) in seen or len(seen) > 800:
                    continue
                seen.add((url, bool(cookies)))
                response = await ds.client.get(url, cookies=cookies)
                assert_clean(url, response.text)
                assert_clean(url + " headers", json.dumps(list(response.headers.multi_items())))
                if "text/html" in response.headers.get("content-type", ""):
                    found += [html.unescape(link) for link in re.findall(r'(?:href|src)="(/[^"#]*)', response.text)]
            frontier = found
    assert len(seen) > 60
    # every table of the archive, and the file itself
    conn = sqlite3.connect(archive)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    for table in tables:
        for row in conn.execute(f"select * from [{table}]"):
            assert_clean(f"table {table}", repr(row))
    conn.close()
    assert_clean("the archive file", archive.read_bytes().decode("latin-1"))
    # the published copy: its tables and its bytes
    result = publish_copy(archive, tmp_path / "public")
    conn = sqlite3.connect(result.db)
    for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
        for row in conn.execute(f"select * from [{table}]"):
            assert_clean(f"published {table}", repr(row))
    conn.close()
    for path in result.db.parent.rglob("*"):
        if path.is_file():
            assert_clean(str(path), path.read_bytes().decode("latin-1"))
