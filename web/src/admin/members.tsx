// Members: search by email, name, id or mobile number; one member's facts, money, activity; withdrawing a member.
import { useSignal } from "@preact/signals";
import { api, call } from "../api.ts";
import { regionName, t } from "../i18n/index.ts";
import { phoneText } from "../phone.ts";
import { navigate, queryParam } from "../router.ts";
import {
  Button,
  Field,
  Form,
  InfiniteList,
  Link,
  Loaded,
  Page,
  Section,
  Status,
  useLoad,
  When,
} from "../ui.tsx";
import { WithdrawMember } from "../withdraw.tsx";
import { MemberActivity } from "./activity.tsx";

function SearchForm(props: { query: string }) {
  const text = useSignal(props.query);
  return (
    <Form
      label={t("admin.members.search")}
      onSubmit={() => {
        const q = text.value.trim();
        navigate(q ? `/admin/members?q=${encodeURIComponent(q)}` : "/admin/members");
      }}
    >
      <Field
        label={t("admin.members.query")}
        type="search"
        name="q"
        hint={t("admin.members.queryHint")}
        value={text.value}
        onValue={(v) => {
          text.value = v;
        }}
      />
      <div>
        <Button type="submit">{t("admin.members.searchButton")}</Button>
      </div>
    </Form>
  );
}

export function MembersPage() {
  const query = queryParam("q") ?? "";
  return (
    <Page title={t("admin.members.title")}>
      <section class="card" aria-label={t("admin.members.search")}>
        <SearchForm query={query} />
      </section>
      <Section title={query ? t("admin.members.results", { query }) : t("admin.members.all")}>
        <InfiniteList
          label={t("admin.members.list")}
          reset={query}
          load={(cursor) =>
            call(
              api.GET("/v1/admin/members", {
                params: { query: { ...(query ? { query } : {}), cursor, limit: 20 } },
              }),
            )
          }
          itemKey={(m) => m.membershipId}
          render={(m) => (
            <Link href={`/admin/members/${encodeURIComponent(m.membershipId)}`} class="item">
              <span class="what">
                <strong>{m.name}</strong>
                <span class="sub">
                  {m.email} · {m.membershipId}
                </span>
              </span>
              <span class="what end">
                <span class="sub">{t(`role.${m.role}`)}</span>
                <Status status={m.status} />
              </span>
            </Link>
          )}
        />
      </Section>
    </Page>
  );
}

export function MemberPage(props: { id: string }) {
  const member = useLoad(
    () => call(api.GET("/v1/memberships/{id}", { params: { path: { id: props.id } } })),
    [props.id],
  );
  const loaded = member.outcome?.ok ? member.outcome.data : undefined;
  return (
    <Page
      title={loaded?.name ?? t("admin.member.title")}
      actions={
        <Link href="/admin/members" class="btn btn-plain">
          {t("admin.member.back")}
        </Link>
      }
    >
      <Loaded load={member}>
        {(m) => (
          <>
            <Section title={t("admin.member.facts")}>
              <dl class="facts">
                <dt>{t("auth.email")}</dt>
                <dd>{m.email}</dd>
                <dt>{t("auth.phone")}</dt>
                <dd>{m.phone ? phoneText(m.phone) : "—"}</dd>
                <dt>{t("admin.member.id")}</dt>
                <dd>{m.membershipId}</dd>
                <dt>{t("admin.member.role")}</dt>
                <dd>{t(`role.${m.role}`)}</dd>
                <dt>{t("auth.region")}</dt>
                <dd>{regionName(m.region)}</dd>
                <dt>{t("admin.member.status")}</dt>
                <dd>
                  <Status status={m.status} />
                </dd>
                <dt>{t("admin.member.joined")}</dt>
                <dd>
                  <When at={m.createdAt} />
                </dd>
              </dl>
            </Section>
            <MemberActivity membershipId={m.membershipId} />
            <WithdrawMember
              member={m}
              texts={{
                title: t("admin.withdraw.title"),
                explain: t("admin.withdraw.explain"),
                button: t("admin.withdraw.button"),
                confirmText: t("admin.withdraw.confirmText", { name: m.name, email: m.email }),
                confirm: t("admin.withdraw.confirm"),
                done: t("admin.withdraw.done", { name: m.name }),
                already: t("admin.withdraw.already"),
                conflict: t("admin.withdraw.conflict"),
              }}
              onWithdrawn={() => member.set({ ...m, status: "WITHDRAWN" })}
            />
          </>
        )}
      </Loaded>
    </Page>
  );
}
