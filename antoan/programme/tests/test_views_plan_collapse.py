"""The plan page's task tree folds: sections show their items, deeper groups open on demand
(a search, a link back from a task, "Mở tất cả"), and each row carries its figures."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

# Plan 64 has 63 tasks; the page starts with its two sections, II and IV.
VISIBLE_AT_MOST = 2


class Tree(HTMLParser):
    """The task rows of a plan page, each with whether a closed <details> hides it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, is a closed details)
        self.rows: dict[str, bool] = {}  # code -> visible
        self.matches: list[str] = []
        self.groups: dict[str, bool] = {}  # code -> open

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("li", "ol", "details", "div", "summary"):
            closed = tag == "details" and "open" not in a
            self.stack.append((tag, closed))
        if a.get("data-testid") == "task-row":
            hidden = any(closed for _tag, closed in self.stack[:-1])
            self.rows[a["data-code"]] = not hidden
            if "task-match" in a.get("class", ""):
                self.matches.append(a["data-code"])
        if a.get("data-testid") == "task-group":
            self.groups[a["data-group"]] = "open" in a

    def handle_endtag(self, tag):
        if tag in ("li", "ol", "details", "div", "summary"):
            opened, _closed = self.stack.pop()
            assert opened == tag, f"</{tag}> closes <{opened}>"


def tree(page: str) -> Tree:
    parser = Tree()
    parser.feed(page.split('data-testid="task-tree"')[1].split("</section>")[0].join(["<ol ", ""]))
    return parser


def plan_page(client, plan, **query) -> str:
    response = client.get(f"/programme/plans/{plan.pk}/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_plan_page_starts_with_the_sections_and_their_items_only(
    cast, client_for, plan64, django_assert_max_num_queries
):
    client = client_for(cast["manager1"])
    with django_assert_max_num_queries(17):  # as before the tree folded (test_views_plan)
        page = plan_page(client, plan64)
    t = tree(page)
    # Every task is in the page (find-in-page, screen readers) but most are folded away.
    assert len(t.rows) == plan64.tasks.count() == 63
    visible = [code for code, shown in t.rows.items() if shown]
    assert len(visible) <= VISIBLE_AT_MOST, visible
    assert visible == ["II", "IV"]
    assert not t.rows["II.3"] and not t.rows["IV.12-3"]
    assert not any(t.groups.values())
    assert "7 mục con của II" in page and 'href="?open=all"' in page


def test_open_all_opens_every_group(cast, client_for, plan64, django_assert_max_num_queries):
    client = client_for(cast["manager1"])
    with django_assert_max_num_queries(17):
        page = plan_page(client, plan64, open="all")
    t = tree(page)
    assert all(t.rows.values())
    assert all(t.groups.values())
    assert "Thu gọn" in page


def test_a_searched_task_opens_the_groups_that_hold_it(cast, client_for, plan64, vietnamese):
    client = client_for(cast["analyst1"])
    t = tree(plan_page(client, plan64, q="II.3.a-2"))
    assert t.matches == ["II.3.a-2"]  # a code finds that task, not the ones under it
    assert t.rows["II.3.a-2"] and t.groups["II"] and t.groups["II.3"] and t.groups["II.3.a"]
    assert not t.groups["IV"] and not t.groups["II.4"] and not t.rows["II.4.a-1"]

    # Words, with or without accents, find tasks by their label.
    page = plan_page(client, plan64, q="tap huan")
    t = tree(page)
    assert t.matches and all(t.rows[code] for code in t.matches)
    assert "nhiệm vụ khớp với “tap huan”" in page

    page = plan_page(client, plan64, q="không có từ này")
    assert "Không có nhiệm vụ nào khớp với “không có từ này”." in page


def test_a_task_page_links_back_to_its_row_opened(cast, client_for, plan64, tasks):
    client = client_for(cast["analyst1"])
    task = tasks["IV.12-3"]
    page = client.get(f"/programme/plans/{plan64.pk}/tasks/{task.pk}/").content.decode()
    back = f"/programme/plans/{plan64.pk}/?q=IV.12-3#task-{task.pk}"
    assert f'href="{back}"' in page
    t = tree(plan_page(client, plan64, q="IV.12-3"))
    assert t.rows["IV.12-3"] and t.groups["IV"] and t.groups["IV.12"]
    assert f'id="task-{task.pk}"' in plan_page(client, plan64)


def test_a_group_row_counts_its_finished_tasks_and_what_was_done(
    cast, client_for, plan64, tasks, record, vietnamese
):
    from antoan.programme import services

    services.task_status_set(
        actor=cast["coordinator1"],
        task=tasks["II.3.a-1"],
        status="done",
        comment="Đã tổ chức đủ các lớp.",
        version=tasks["II.3.a-1"].version,
    )
    record(
        cast["reporter1"],
        tasks=["II.3.a-2"],
        kind="training",
        details={"topic": "general"},
        participants_total=30,
        participants_female=20,
        participants_male=10,
    )
    page = plan_page(client_for(cast["analyst1"]), plan64)

    def row(code: str) -> str:
        return page.split(f'data-code="{code}"')[1].split("</div>\n    </div>")[0]

    # II.3.a has five bullets, one done; the folded rows above say so with their reach.
    assert "1/5 việc đã xong" in row("II.3.a")
    assert "1/6 việc đã xong" in row("II.3")  # II.3.a's five and II.3.b
    assert "1 hoạt động" in row("II.3") and "30 người (nữ 20)" in row("II.3")
    assert "1 hoạt động" in row("II") and "1/" in row("II")
    assert "việc đã xong" not in row("II.3.a-1")  # a single task has its status badge
