/** Small shared pieces: links that use the router, state badges, a confirmation dialog, notices. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let navigateTo: (to: string) => void = () => undefined;
export function setNavigate(fn: (to: string) => void): void {
  navigateTo = fn;
}
export function navigate(to: string): void {
  navigateTo(to);
}

/** A link inside the dashboard (a real href, so it opens in a new tab too). */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }): JSX.Element {
  return (
    <a
      href={`/dashboard${props.to}`}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigateTo(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

export function StateBadge(props: { state: string }): JSX.Element {
  return <span class={`badge state-${props.state}`}>{props.state}</span>;
}

export function Notice(props: { error?: string | null; children?: ComponentChildren }): JSX.Element | null {
  if (props.error) return <p class="notice error" role="alert">{props.error}</p>;
  if (props.children) return <p class="notice" role="status">{props.children}</p>;
  return null;
}

/** A modal confirmation (<dialog>: focus stays inside, Escape cancels). */
export function Confirm(props: { open: boolean; title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>Keep as is</button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}

export function Loading(): JSX.Element {
  return <p class="muted" role="status">Loading…</p>;
}
