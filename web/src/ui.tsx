// The few components every page is made of. Labels are real <label>s, errors are announced
// (role="alert") and tied to their field (aria-describedby), a busy button says so (aria-busy), and each
// page moves the focus to its heading, so the app is usable with a keyboard and a screen reader.
import { useSignal } from "@preact/signals";
import type { AnchorHTMLAttributes, ButtonHTMLAttributes, ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { explain, logout, type Outcome, session } from "./api.ts";
import { dateTime, lang, languages, setLang, t, won } from "./i18n/index.ts";
import { navigate } from "./router.ts";

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      onClick={(event) => {
        onClick?.(event as never);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
          return;
        event.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}

/** A page: its heading takes the focus when the page opens. */
export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [props.title]);
  return (
    <main id="main" class="page">
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </div>
      {props.children}
    </main>
  );
}

/**
 * A table with its caption (read by screen readers, hidden on screen) in a region that scrolls
 * sideways on a narrow screen; the region takes the focus, so the keyboard can scroll it too.
 */
export function Table(props: { caption: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section class="table-wrap" aria-label={props.caption} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        {props.children}
      </table>
    </section>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const id = useId();
  return (
    <section class="card" aria-labelledby={id} id={props.id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

interface InputProps {
  label: string;
  type?: "text" | "email" | "password" | "number" | "search" | "tel" | "datetime-local";
  name?: string;
  autoComplete?: string;
  required?: boolean;
  inputMode?: "numeric" | "text" | "email" | "search" | "tel";
  min?: number | string;
  max?: number | string;
  step?: number;
  minLength?: number;
  maxLength?: number;
  placeholder?: string;
  disabled?: boolean;
  readOnly?: boolean;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  error?: string | undefined;
}

export function Field(props: InputProps) {
  const { label, value, onValue, hint, error, type = "text", ...input } = props;
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        // Preact 11 types each input type apart; ours are all text-like.
        type={type as "text"}
        id={id}
        value={value}
        onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...(input as object)}
      />
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  name?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A button that shows it is busy and takes no second click meanwhile. */
export function Button(
  props: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; kind?: "primary" | "plain" | "danger" },
) {
  const { busy, kind = "primary", children, class: cls, ...rest } = props;
  return (
    <button
      type="button"
      class={`btn btn-${kind}${cls ? ` ${cls}` : ""}`}
      aria-busy={busy ? true : undefined}
      aria-disabled={busy ? true : undefined}
      {...rest}
    >
      {children}
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
    </button>
  );
}

/** A failed outcome in plain words, announced; with a retry button when trying again can help. */
export function Problem(props: { outcome: Outcome<unknown> | undefined; onRetry?: () => void }) {
  const { outcome } = props;
  if (!outcome || outcome.ok) return null;
  return (
    <div class="problem" role="alert">
      <p>{explain(outcome)}</p>
      {props.onRetry ? (
        <Button kind="plain" onClick={props.onRetry}>
          {t("app.retry")}
        </Button>
      ) : null}
    </div>
  );
}

/** A message that is announced politely (a success, a state change). */
export function Notice(props: { children: ComponentChildren; tone?: "ok" | "info" | "warn" }) {
  return (
    <p class={`notice notice-${props.tone ?? "ok"}`} role="status">
      {props.children}
    </p>
  );
}

export function Money(props: { amount: number | null | undefined; signed?: boolean }) {
  const { amount } = props;
  if (amount === null || amount === undefined) return <span class="amount">—</span>;
  const text = props.signed && amount > 0 ? `+${won(amount)}` : won(amount);
  return (
    <span class={`amount${props.signed && amount < 0 ? " out" : props.signed ? " in" : ""}`}>{text}</span>
  );
}

export function Status(props: { status: string }) {
  return <span class={`badge badge-${props.status.toLowerCase()}`}>{t(`status.${props.status}`)}</span>;
}

export const When = (props: { at: string | null | undefined }) => (
  <time dateTime={props.at ?? undefined}>{dateTime(props.at)}</time>
);

export function Loading() {
  return (
    <p class="loading" role="status">
      {t("app.loading")}
    </p>
  );
}

/** Loads once (and again on reload()); the outcome, or undefined while loading. */
export function useLoad<T>(load: () => Promise<Outcome<T>>, deps: unknown[] = []) {
  const state = useSignal<Outcome<T> | undefined>(undefined);
  const counter = useSignal(0);
  useEffect(() => {
    let alive = true;
    state.value = undefined;
    void load().then((outcome) => {
      if (alive) state.value = outcome;
    });
    return () => {
      alive = false;
    };
  }, [...deps, counter.value]);
  return {
    get outcome() {
      return state.value;
    },
    set(value: T) {
      state.value = { ok: true, data: value };
    },
    reload() {
      counter.value++;
    },
  };
}

/** Shows a loaded outcome: loading, its problem with a retry, or the data. */
export function Loaded<T>(props: {
  load: { outcome: Outcome<T> | undefined; reload: () => void };
  children: (data: T) => ComponentChildren;
}) {
  const outcome = props.load.outcome;
  if (!outcome) return <Loading />;
  if (!outcome.ok) return <Problem outcome={outcome} onRetry={props.load.reload} />;
  return <>{props.children(outcome.data)}</>;
}

/**
 * A list that loads page after page: when its end scrolls into view, and with a "load more" button
 * for the keyboard. `reset` (a filter, say) starts it again.
 */
export function InfiniteList<T>(props: {
  load: (cursor: string | undefined) => Promise<Outcome<{ items: T[]; nextCursor: string | null }>>;
  render: (item: T) => ComponentChildren;
  itemKey: (item: T) => string;
  reset?: string;
  label: string;
}) {
  const items = useSignal<T[]>([]);
  const cursor = useSignal<string | null | undefined>(undefined);
  const failed = useSignal<Outcome<unknown> | undefined>(undefined);
  const loading = useSignal(false);
  const end = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  const more = async () => {
    if (loading.value || cursor.value === null) return;
    loading.value = true;
    const mine = generation.current;
    const outcome = await props.load(cursor.value);
    if (mine !== generation.current) return;
    loading.value = false;
    if (!outcome.ok) {
      failed.value = outcome;
      return;
    }
    failed.value = undefined;
    items.value = [...items.value, ...outcome.data.items];
    cursor.value = outcome.data.nextCursor;
  };

  useEffect(() => {
    generation.current++;
    items.value = [];
    cursor.value = undefined;
    failed.value = undefined;
    loading.value = false;
    void more();
  }, [props.reset]);

  useEffect(() => {
    const node = end.current;
    if (!node || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !failed.value) void more();
    });
    observer.observe(node);
    return () => observer.disconnect();
  });

  return (
    <div class="list-wrap">
      <ul class="list" aria-label={props.label} aria-busy={loading.value ? true : undefined}>
        {items.value.map((item) => (
          <li key={props.itemKey(item)}>{props.render(item)}</li>
        ))}
      </ul>
      {failed.value ? <Problem outcome={failed.value} onRetry={() => void more()} /> : null}
      <div ref={end} class="list-end">
        {loading.value ? (
          <Loading />
        ) : cursor.value === null ? (
          <p class="muted">{items.value.length === 0 ? t("app.empty") : t("app.end")}</p>
        ) : (
          <Button kind="plain" onClick={() => void more()}>
            {t("app.loadMore")}
          </Button>
        )}
      </div>
    </div>
  );
}

export function LanguageSwitch() {
  return (
    <fieldset class="lang-switch">
      <legend class="visually-hidden">{t("app.language")}</legend>
      {languages.map((l) => (
        <button
          key={l}
          type="button"
          class="btn btn-plain btn-small"
          aria-pressed={lang.value === l}
          lang={l}
          onClick={() => setLang(l)}
        >
          {l === "ko" ? "한국어" : "English"}
        </button>
      ))}
    </fieldset>
  );
}

/** The top of every page: a skip link, the area's name and navigation, the language and log out. */
export function Header(props: { area: string; home: string; nav?: Array<{ href: string; label: string }> }) {
  const current = typeof location === "undefined" ? "" : location.pathname;
  return (
    <header class="top">
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <div class="top-row">
        <Link href={props.home} class="brand">
          mypay <span class="area">{props.area}</span>
        </Link>
        <LanguageSwitch />
      </div>
      {session.value ? (
        <nav aria-label={props.area}>
          <ul class="nav">
            {(props.nav ?? []).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={current === n.href ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
            <li>
              <button type="button" class="btn btn-plain btn-small" onClick={() => void logout()}>
                {t("app.logout")}
              </button>
            </li>
          </ul>
        </nav>
      ) : null}
    </header>
  );
}

/** A form that submits with Enter and with its button; `onSubmit` gets no event to prevent. */
export function Form(props: { onSubmit: () => void; children: ComponentChildren; label?: string }) {
  return (
    <form
      class="form"
      aria-label={props.label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}
