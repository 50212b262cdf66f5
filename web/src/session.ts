// The user's API key lives in sessionStorage only: gone when the tab closes, never
// in a URL, a cookie or localStorage. Signing out clears the tab's session storage.
const KEY_ITEM = 'poolshare.apiKey';

export function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null; // storage disabled: the user signs in on every load
  }
}

export function storeKey(key: string): void {
  window.sessionStorage.setItem(KEY_ITEM, key);
}

export function clearSession(): void {
  window.sessionStorage.removeItem(KEY_ITEM);
  window.sessionStorage.clear();
}
