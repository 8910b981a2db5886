// One line of history each: what it was, when, and how much; each opens its detail.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Schemas } from "../api.ts";
import { t } from "../i18n/index.ts";
import { Link, Money, Status, When } from "../ui.tsx";
import {
  bankName,
  franchiseName,
  type MoneyEntry,
  moneyKind,
  myId,
  type PointsEntry,
  pointsKind,
  referencePath,
} from "./shared.tsx";

export function FranchiseName(props: { id: string }) {
  const name = useSignal<string | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    name.value = undefined;
    void franchiseName(props.id).then((n) => {
      if (alive) name.value = n;
    });
    return () => {
      alive = false;
    };
  }, [props.id]);
  return <>{name.value ?? props.id}</>;
}

export function MoneyItem(props: { entry: MoneyEntry }) {
  const e = props.entry;
  return (
    <Link href={`/history/money/${encodeURIComponent(e.entryId)}`} class="item">
      <span class="what">
        <span>{moneyKind(e.kind)}</span>
        <span class="sub">
          <When at={e.createdAt} /> · {t("wallet.entry.balance")} <Money amount={e.balanceAfter} />
        </span>
      </span>
      <Money amount={e.amount} signed />
    </Link>
  );
}

export function PointsItem(props: { entry: PointsEntry }) {
  const e = props.entry;
  const body = (
    <>
      <span class="what">
        <span>{pointsKind(e.kind)}</span>
        <span class="sub">
          <When at={e.createdAt} /> · {t("wallet.points.after", { points: e.balanceAfter })}
        </span>
      </span>
      <span class={`amount${e.amount > 0 ? " in" : ""}`}>
        {e.amount > 0
          ? t("wallet.points.plus", { points: e.amount })
          : t("wallet.points.minus", { points: Math.abs(e.amount) })}
      </span>
    </>
  );
  const href = referencePath(e.reference);
  return href ? (
    <Link href={href} class="item">
      {body}
    </Link>
  ) : (
    <div class="item">{body}</div>
  );
}

export function PaymentItem(props: { payment: Schemas["Payment"] }) {
  const p = props.payment;
  return (
    <Link href={`/history/payments/${encodeURIComponent(p.paymentId)}`} class="item">
      <span class="what">
        <span>
          <FranchiseName id={p.franchiseId} />
        </span>
        <span class="sub">
          <When at={p.createdAt} /> · <Status status={p.status} />
        </span>
      </span>
      <Money amount={p.amount} />
    </Link>
  );
}

export function recipientText(r: Schemas["Remittance"]): string {
  if ("bankCode" in r.to) return `${bankName(r.to.bankCode)} ${r.to.accountNumber}`;
  return t("wallet.remit.aMember");
}

export function RemittanceItem(props: { remittance: Schemas["Remittance"] }) {
  const r = props.remittance;
  const sent = r.from.membershipId === myId();
  return (
    <Link href={`/history/remittances/${encodeURIComponent(r.remittanceId)}`} class="item">
      <span class="what">
        <span>{sent ? t("wallet.remit.sentTo", { to: recipientText(r) }) : t("wallet.remit.received")}</span>
        <span class="sub">
          <When at={r.createdAt} /> · <Status status={r.status} />
          {r.memo ? ` · ${r.memo}` : ""}
        </span>
      </span>
      <Money amount={sent ? -r.amount : r.amount} signed />
    </Link>
  );
}
