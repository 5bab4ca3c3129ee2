import { Show } from 'solid-js';

/** An error the user can act on, announced to screen readers; renders nothing without a message. */
export function ErrorNotice(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      <p class="notice error" role="alert">
        {props.message}
      </p>
    </Show>
  );
}
