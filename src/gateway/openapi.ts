/**
 * The gateway's one OpenAPI document: the paths, schemas and tags of every service's own document.
 * A path several services serve (the staff lists each keeps of its own) is taken from the first.
 */
type Document = Record<string, unknown> & {
  paths?: Record<string, unknown>;
  tags?: Array<{ name: string }>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
};

export function mergeDocuments(documents: readonly Record<string, unknown>[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, { name: string }>();
  for (const doc of documents as readonly Document[]) {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (path.startsWith("/v1/")) paths[path] ??= item;
    }
    Object.assign(schemas, doc.components?.schemas);
    for (const tag of doc.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: "3.0.3",
    info: {
      title: "mypay",
      version: "1.0.0",
      description: "Easy payment (간편결제): prepaid money, remittance, payments, points and settlement.",
    },
    paths: sorted,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    ...(tags.size > 0 ? { tags: [...tags.values()] } : {}),
  };
}
