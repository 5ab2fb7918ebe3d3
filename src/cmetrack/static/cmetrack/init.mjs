// GOV.UK Frontend and MOJ Frontend ship as ES modules; pages work without this script too.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
