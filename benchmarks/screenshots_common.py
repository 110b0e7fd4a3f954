"""What the screenshot scripts share: a phone's width, the check that a page fits it, and
signing in as a demo login. Imported by the scripts beside it."""

PHONE = {"width": 360, "height": 740}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        raise SystemExit(f"{page.url} is {width} px wide at 360 px")


def staff_login(context, url: str, username: str, password: str):
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/" in page.url:
        raise SystemExit(f"could not sign in as {username}")
    return page
