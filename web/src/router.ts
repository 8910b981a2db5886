// Paths without a router library: the current path is a signal, links push history.
import { signal } from "@preact/signals";

const here = () => `${location.pathname}${location.search}`;
export const route = signal(here());

window.addEventListener("popstate", () => {
  route.value = here();
});

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === here()) return;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  route.value = here();
  window.scrollTo(0, 0);
}

/** The path part of the route, without the query. */
export const pathOf = (r: string): string => r.split("?")[0] ?? "/";

/** A query parameter of the current route. */
export const queryParam = (name: string): string | null =>
  new URLSearchParams(route.value.split("?")[1] ?? "").get(name);

/** Matches `/payments/:id`-style patterns; the named parts, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const have = path.replace(/\/+$/, "").split("/");
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] ?? "";
    if (part.startsWith(":")) {
      if (!value) return undefined;
      params[part.slice(1)] = decodeURIComponent(value);
    } else if (part !== value) return undefined;
  }
  return params;
}
