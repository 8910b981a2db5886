// Signing up, logging in and the role each area needs (shared by the wallet, merchant pages and console).
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { api, call, endedBecause, login, logout, type Outcome, type Role, session } from "./api.ts";
import { t } from "./i18n/index.ts";
import { useIntent } from "./intent.ts";
import { looksLikePhone } from "./phone.ts";
import { Button, Field, Form, Notice, Page, Problem, Select } from "./ui.tsx";

export const regions = [
  "서울",
  "부산",
  "대구",
  "인천",
  "광주",
  "대전",
  "울산",
  "세종",
  "경기",
  "강원",
  "충북",
  "충남",
  "전북",
  "전남",
  "경북",
  "경남",
  "제주",
] as const;

export const regionOptions = () => regions.map((r) => ({ value: r, label: t(`region.${r}`) }));

/** Whether a typed mobile number may be sent: empty (none), or what could be a Korean mobile number. */
export const phoneOrEmpty = (typed: string): boolean => typed === "" || looksLikePhone(typed);

/** The optional mobile number, at sign-up and in the wallet's My info. */
export function PhoneField(props: {
  hint: string;
  invalid: boolean;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <Field
      label={t("auth.phone")}
      type="tel"
      name="phone"
      autoComplete="tel-national"
      inputMode="tel"
      maxLength={30}
      hint={props.hint}
      error={props.invalid ? t("auth.phoneInvalid") : undefined}
      value={props.value}
      onValue={props.onValue}
    />
  );
}

export function LoginForm(props: { title: string; footer?: ComponentChildren; welcome?: string }) {
  const email = useSignal("");
  const password = useSignal("");
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const busy = useSignal(false);
  const submit = async () => {
    if (busy.value) return;
    busy.value = true;
    outcome.value = await login(email.value.trim(), password.value);
    busy.value = false;
  };
  return (
    <Page title={props.title}>
      <div class="card stack">
        {endedBecause.value ? <Notice tone="info">{endedBecause.value}</Notice> : null}
        {props.welcome ? <Notice>{props.welcome}</Notice> : null}
        <Form onSubmit={() => void submit()} label={props.title}>
          <Field
            label={t("auth.email")}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email.value}
            onValue={(v) => {
              email.value = v;
            }}
          />
          <Field
            label={t("auth.password")}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password.value}
            onValue={(v) => {
              password.value = v;
            }}
          />
          <Problem outcome={outcome.value} />
          <Button type="submit" busy={busy.value}>
            {t("auth.login")}
          </Button>
        </Form>
        {props.footer}
      </div>
    </Page>
  );
}

export function SignupForm(props: {
  title: string;
  type: "personal" | "merchant";
  onDone: (name: string) => void;
  footer?: ComponentChildren;
}) {
  const name = useSignal("");
  const email = useSignal("");
  const password = useSignal("");
  const phone = useSignal("");
  const region = useSignal<string>(regions[0]);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const short = useSignal(false);
  const badPhone = useSignal(false);
  const intent = useIntent();
  const submit = async () => {
    const number = phone.value.trim();
    short.value = password.value.length < 8;
    badPhone.value = !phoneOrEmpty(number);
    if (short.value || badPhone.value) return;
    const body = {
      name: name.value.trim(),
      email: email.value.trim(),
      password: password.value,
      region: region.value,
      type: props.type,
      ...(number ? { phone: number } : {}),
    };
    const result = await intent.send(body, () => call(api.POST("/v1/memberships", { body })));
    if (!result) return;
    outcome.value = result;
    if (result.ok) props.onDone(body.name);
  };
  return (
    <Page title={props.title}>
      <div class="card stack">
        <Form onSubmit={() => void submit()} label={props.title}>
          <Field
            label={t("auth.name")}
            name="name"
            autoComplete="name"
            required
            value={name.value}
            onValue={(v) => {
              name.value = v;
            }}
          />
          <Field
            label={t("auth.email")}
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email.value}
            onValue={(v) => {
              email.value = v;
            }}
          />
          <Field
            label={t("auth.password")}
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={8}
            hint={t("auth.passwordHint")}
            error={short.value ? t("auth.passwordHint") : undefined}
            value={password.value}
            onValue={(v) => {
              password.value = v;
            }}
          />
          <PhoneField
            hint={t("auth.phoneHint")}
            invalid={badPhone.value}
            value={phone.value}
            onValue={(v) => {
              phone.value = v;
            }}
          />
          <Select
            label={t("auth.region")}
            name="region"
            value={region.value}
            onValue={(v) => {
              region.value = v;
            }}
            options={regionOptions()}
          />
          <Problem outcome={outcome.value} />
          <Button type="submit" busy={intent.busy}>
            {t("auth.signup")}
          </Button>
        </Form>
        {props.footer}
      </div>
    </Page>
  );
}

/** What a signed-in member of another role sees on an area that is not theirs. */
export function WrongRole(props: { role: Role }) {
  return (
    <Page title={t("app.name")}>
      <div class="card stack">
        <p>{t("app.wrongRole", { role: t(`role.${props.role}`), email: session.value?.email ?? "" })}</p>
        <Button kind="plain" onClick={() => void logout()}>
          {t("app.switchAccount")}
        </Button>
      </div>
    </Page>
  );
}
