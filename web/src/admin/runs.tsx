// Settlement runs: one run followed until every payout is PAID or FAILED, each franchise's result, and
// the list of recent runs.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, call, type Schemas } from "../api.ts";
import { num, t } from "../i18n/index.ts";
import { follow } from "../intent.ts";
import { InfiniteList, Link, Loaded, Money, Section, Status, Table, useLoad, When } from "../ui.tsx";
import { AnyStatus } from "./format.tsx";

type Run = Schemas["SettlementRun"];

const loadRun = (id: string) =>
  call(api.GET("/v1/admin/settlements/runs/{id}", { params: { path: { id } } }));

function RunFacts(props: { run: Run }) {
  const r = props.run;
  const done = r.settlements.paid + r.settlements.failed;
  return (
    <div class="stack">
      <p class="run-status" role="status">
        {r.status === "COMPLETED" ? t("admin.run.completed") : t("admin.run.running")}{" "}
        {r.franchises === null
          ? t("admin.run.claiming")
          : t("admin.run.progress", {
              done,
              total: r.franchises,
              paid: r.settlements.paid,
              failed: r.settlements.failed,
              pending: r.settlements.pending,
            })}
      </p>
      {r.franchises ? (
        <progress
          class="run-progress"
          max={r.franchises}
          value={done}
          aria-label={t("admin.run.progressLabel")}
        />
      ) : null}
      <dl class="facts">
        <dt>{t("admin.run.id")}</dt>
        <dd>{r.runId}</dd>
        <dt>{t("admin.run.cutoff")}</dt>
        <dd>
          <When at={r.cutoff} />
        </dd>
        <dt>{t("admin.run.started")}</dt>
        <dd>
          <When at={r.createdAt} />
        </dd>
        <dt>{t("admin.run.payments")}</dt>
        <dd>{r.paymentCount === null ? "—" : num(r.paymentCount)}</dd>
        <dt>{t("admin.run.gross")}</dt>
        <dd>
          <Money amount={r.gross} />
        </dd>
        <dt>{t("admin.run.commission")}</dt>
        <dd>
          <Money amount={r.commission} />
        </dd>
        <dt>{t("admin.run.net")}</dt>
        <dd>
          <Money amount={r.net} />
        </dd>
      </dl>
    </div>
  );
}

function RunResults(props: { runId: string; version: string }) {
  const list = useLoad(
    () => call(api.GET("/v1/settlements", { params: { query: { runId: props.runId, limit: 100 } } })),
    [props.runId, props.version],
  );
  return (
    <Section title={t("admin.run.results")}>
      <Loaded load={list}>
        {(data) =>
          data.items.length === 0 ? (
            <p class="muted">{t("admin.run.none")}</p>
          ) : (
            <Table caption={t("admin.run.results")}>
              <thead>
                <tr>
                  <th scope="col">{t("admin.run.franchise")}</th>
                  <th scope="col" class="num">
                    {t("admin.run.payments")}
                  </th>
                  <th scope="col" class="num">
                    {t("admin.run.gross")}
                  </th>
                  <th scope="col" class="num">
                    {t("admin.run.commission")}
                  </th>
                  <th scope="col" class="num">
                    {t("admin.run.net")}
                  </th>
                  <th scope="col">{t("admin.run.status")}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.settlementId}>
                    <th scope="row" class="id">
                      <Link href={`/admin/franchises/${encodeURIComponent(s.franchiseId)}`}>
                        {s.franchiseId}
                      </Link>
                    </th>
                    <td class="num">{num(s.paymentCount)}</td>
                    <td class="num">
                      <Money amount={s.gross} />
                    </td>
                    <td class="num">
                      <Money amount={s.commission} />
                    </td>
                    <td class="num">
                      <Money amount={s.net} />
                    </td>
                    <td>
                      <Status status={s.status} />
                      {s.failureReason ? <span class="sub"> {s.failureReason}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </Loaded>
    </Section>
  );
}

/** A run, asked again every second while it is RUNNING, with its franchises' results. */
export function RunView(props: { runId: string }) {
  const run = useLoad(() => loadRun(props.runId), [props.runId]);
  const current = run.outcome?.ok ? run.outcome.data : undefined;
  const following = useSignal(false);
  useEffect(() => {
    if (!current || current.status === "COMPLETED" || following.value) return;
    let alive = true;
    following.value = true;
    void follow(
      () => loadRun(props.runId),
      (r) => r.status === "COMPLETED",
      (r) => run.set(r),
      { alive: () => alive },
    ).finally(() => {
      following.value = false;
    });
    return () => {
      alive = false;
    };
  }, [props.runId, current?.runId]);
  const version = current
    ? `${current.status}:${current.settlements.paid}:${current.settlements.failed}:${current.settlements.pending}`
    : "";
  return (
    <>
      <Section title={t("admin.run.title")}>
        <Loaded load={run}>{(r) => <RunFacts run={r} />}</Loaded>
      </Section>
      {current ? <RunResults runId={props.runId} version={version} /> : null}
    </>
  );
}

function RunItem(props: { run: Run }) {
  const r = props.run;
  return (
    <Link href={`/admin/settlements/${encodeURIComponent(r.runId)}`} class="item">
      <span class="what">
        <strong>
          <When at={r.createdAt} />
        </strong>
        <span class="sub">
          {r.runId} ·{" "}
          {t("admin.runs.summary", { franchises: r.franchises ?? 0, payments: r.paymentCount ?? 0 })}
        </span>
      </span>
      <span class="what end">
        <Money amount={r.net} />
        <AnyStatus status={r.status} />
      </span>
    </Link>
  );
}

export function RecentRuns(props: { title: string; limit?: number }) {
  return (
    <Section title={props.title}>
      <InfiniteList
        label={props.title}
        load={(cursor) =>
          call(
            api.GET("/v1/admin/settlements/runs", {
              params: { query: { cursor, limit: props.limit ?? 20 } },
            }),
          )
        }
        itemKey={(r) => r.runId}
        render={(r) => <RunItem run={r} />}
      />
    </Section>
  );
}
