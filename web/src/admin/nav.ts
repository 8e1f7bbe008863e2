import type { Role } from './labels';

export interface NavItem {
  to:
    | '/admin'
    | '/admin/orders'
    | '/admin/products'
    | '/admin/categories'
    | '/admin/promo-codes'
    | '/admin/customers'
    | '/admin/jobs'
    | '/admin/emails';
  label: string;
  /** The roles the API serves this area to. */
  roles: readonly Role[];
}

const staffAndAdmins = ['staff', 'admin'] as const;
const admins = ['admin'] as const;

export const navItems: readonly NavItem[] = [
  { to: '/admin', label: 'Dashboard', roles: staffAndAdmins },
  { to: '/admin/orders', label: 'Orders', roles: staffAndAdmins },
  { to: '/admin/products', label: 'Products', roles: admins },
  { to: '/admin/categories', label: 'Categories', roles: admins },
  { to: '/admin/promo-codes', label: 'Promo codes', roles: admins },
  { to: '/admin/customers', label: 'Customers', roles: admins },
  { to: '/admin/jobs', label: 'Jobs', roles: admins },
  { to: '/admin/emails', label: 'Emails', roles: staffAndAdmins },
];

/** The back office's navigation for a role: only the areas the API lets that role use. */
export function navFor(role: Role | undefined): NavItem[] {
  return role ? navItems.filter((item) => item.roles.includes(role)) : [];
}

export function canUse(role: Role | undefined, to: NavItem['to']): boolean {
  return navFor(role).some((item) => item.to === to);
}
