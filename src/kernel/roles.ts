/** What a caller may do: customers and merchants act on their own resources, staff on everything. */
export const roles = ["customer", "merchant", "staff"] as const;
export type Role = (typeof roles)[number];
