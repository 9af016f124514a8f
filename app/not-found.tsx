import { NotFound } from './components/NotFound';

/** Every 404: an unknown sweep, run or page. The root layout (top bar) stays. */
export default function NotFoundPage() {
  return <NotFound />;
}
