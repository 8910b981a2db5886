// The member's own details: the name, the mobile number others find them by to send money, and the
// region; and leaving mypay, which takes a money balance of ₩0 (points expire).
import { useSignal } from "@preact/signals";
import { api, call, logout, type Outcome, type Schemas } from "../api.ts";
import { PhoneField, phoneOrEmpty, regionOptions } from "../auth.tsx";
import { regionName, t, won } from "../i18n/index.ts";
import { phoneText } from "../phone.ts";
import {
  Button,
  Field,
  Form,
  Link,
  Loaded,
  Notice,
  Page,
  Problem,
  Section,
  Select,
  useLoad,
} from "../ui.tsx";
import { WithdrawMember } from "../withdraw.tsx";

type Membership = Schemas["Membership"];
type Changes = Schemas["MembershipChanges"];

/** What the form changes: only the fields that differ from the member's, the number removed if emptied. */
function changesOf(me: Membership, form: { name: string; phone: string; region: string }): Changes {
  const changes: Changes = {};
  if (form.name !== me.name) changes.name = form.name;
  if (form.region !== me.region) changes.region = form.region;
  if (form.phone === "" && me.phone !== null) changes.phone = null;
  else if (form.phone !== "" && form.phone !== (me.phone && phoneText(me.phone))) changes.phone = form.phone;
  return changes;
}

function Details(props: { me: Membership; onSaved: (me: Membership) => void }) {
  const { me } = props;
  const name = useSignal(me.name);
  const phone = useSignal(me.phone ? phoneText(me.phone) : "");
  const region = useSignal(me.region);
  const errors = useSignal<{ name?: string; phone: boolean }>({ phone: false });
  const outcome = useSignal<Outcome<Membership> | undefined>(undefined);
  const busy = useSignal(false);
  const save = async () => {
    if (busy.value) return;
    const form = { name: name.value.trim(), phone: phone.value.trim(), region: region.value };
    errors.value = {
      name: form.name ? undefined : t("wallet.profile.nameMissing"),
      phone: !phoneOrEmpty(form.phone),
    };
    if (errors.value.name || errors.value.phone) return;
    const changes = changesOf(me, form);
    if (Object.keys(changes).length === 0) {
      outcome.value = { ok: true, data: me };
      return;
    }
    busy.value = true;
    const id = me.membershipId;
    outcome.value = await call(
      api.PATCH("/v1/memberships/{id}", { params: { path: { id } }, body: changes }),
    );
    busy.value = false;
    if (outcome.value.ok) {
      const saved = outcome.value.data;
      phone.value = saved.phone ? phoneText(saved.phone) : "";
      props.onSaved(saved);
    }
  };
  const regions = regionOptions();
  const options = regions.some((r) => r.value === me.region)
    ? regions
    : [{ value: me.region, label: regionName(me.region) }, ...regions];
  return (
    <Section title={t("wallet.profile.details")}>
      <dl class="facts">
        <dt>{t("auth.email")}</dt>
        <dd>{me.email}</dd>
      </dl>
      <Form onSubmit={() => void save()} label={t("wallet.profile.details")}>
        <Field
          label={t("auth.name")}
          autoComplete="name"
          maxLength={100}
          error={errors.value.name}
          value={name.value}
          onValue={(v) => (name.value = v)}
        />
        <PhoneField
          hint={t("wallet.profile.phoneHint")}
          invalid={errors.value.phone}
          value={phone.value}
          onValue={(v) => (phone.value = v)}
        />
        <Select
          label={t("auth.region")}
          value={region.value}
          onValue={(v) => (region.value = v)}
          options={options}
        />
        {outcome.value?.ok ? <Notice>{t("wallet.profile.saved")}</Notice> : null}
        <Problem outcome={outcome.value} />
        <Button type="submit" busy={busy.value}>
          {t("app.save")}
        </Button>
      </Form>
    </Section>
  );
}

/** Leaving mypay: refused while the member holds money, which the page says before it is tried. */
function Leave(props: { me: Membership }) {
  const money = useLoad(() => call(api.GET("/v1/money/me")));
  const balance = money.outcome?.ok ? money.outcome.data.balance : undefined;
  return (
    <WithdrawMember
      member={props.me}
      texts={{
        title: t("wallet.leave.title"),
        explain: t("wallet.leave.explain"),
        button: t("wallet.leave.button"),
        confirmText: t("wallet.leave.confirmText"),
        confirm: t("wallet.leave.confirm"),
        done: t("wallet.leave.done"),
        already: t("wallet.leave.done"),
        conflict: t("wallet.leave.conflict"),
      }}
      onWithdrawn={() => void logout(t("wallet.leave.done"))}
    >
      {balance ? (
        <p>
          {t("wallet.leave.holding", { balance: won(balance) })}{" "}
          <Link href="/withdraw">{t("wallet.leave.withdraw")}</Link>
        </p>
      ) : null}
    </WithdrawMember>
  );
}

export function Profile() {
  const me = useLoad(() => call(api.GET("/v1/memberships/me")));
  return (
    <Page title={t("wallet.profile.title")}>
      <Loaded load={me}>
        {(m) => (
          <>
            <Details me={m} onSaved={(saved) => me.set(saved)} />
            <Leave me={m} />
          </>
        )}
      </Loaded>
    </Page>
  );
}
