export const SHARE_COOKIE = 'll_share';
export const ADMIN_COOKIE = 'll_admin';
