import { useT } from '../i18n.ts';
import { common } from '../messages.ts';

/** Loads a list again (a `useApi` state); disabled while it loads. */
export function RefreshButton(props: { state: { loading: boolean; reload: () => unknown } }) {
  const t = useT(common);
  const { state } = props;
  return (
    <button type="button" onClick={() => void state.reload()} disabled={state.loading}>
      {t('refresh')}
    </button>
  );
}
