// Package workflow runs the program lifecycle: programs, channels,
// enterprises, cycles, applications, recommendations, the engine's
// evaluation, decisions, public notices, objections and recognitions. It
// is the only package that changes Exemplar's state: each change is one
// method of Service, run in one transaction (store.DB.Tx) that also
// appends the change — who, what, the record before and after — to the
// hash-chained audit log. A refused change changes nothing and says why,
// with an errs code: invalid (bad input, naming the field), not found,
// conflict (a wrong phase or status, a stale version, a used key, a
// quota) or forbidden (a channel acting on another channel's
// application).
//
// # The cycle
//
// A cycle is one run of a program version, of kind identification (认定)
// or review (复核评价). It moves through its phases one transition at a
// time, each needing exactly one phase:
//
//	draft ──OpenCycle──▶ open ──CloseApplications──▶ recommendation
//	  ──StartEvaluation──▶ evaluation ──StartDeliberation──▶ deliberation
//	  ──PublishNotice──▶ notice ──Announce──▶ announced ──CloseCycle──▶ closed
//
// A transition from any other phase is refused with a conflict that names
// the phase and what the transition needs:
// `cycle 3 is in phase "draft"; "announce" needs "notice"`.
//
// # Applications
//
// While the cycle is open (and its applications are not due), an
// enterprise creates an application (draft), saves its inputs (validated
// against the program: unknown input, wrong kind, out of range are
// refused with the field named), and submits it with an idempotency key
// (submitted: locked). A retried submission with the same key changes
// nothing and returns the application. Its channel may return it for
// correction with a reason (returned, to be saved and submitted again);
// the enterprise may withdraw it. In phase recommendation each channel
// recommends its own enterprises' submitted applications, within its
// quota for the cycle (a recommendation beyond it is refused with the
// count and the quota), or does not recommend them. StartEvaluation marks
// the submitted applications no channel acted on as not recommended, and
// runs the engine once over all recommended ones.
//
// Every record people edit carries a version: a change based on a version
// other than the current one is refused (conflict), never silently
// applied over someone else's.
//
// # Expert review
//
// When the program has a review section, experts score its items on each
// eligible application during the evaluation phase (review_*.go):
// conflicts (DeclareConflict), assignment (AssignReviewers, AddReviewer,
// RemoveReviewer), scoresheets (SaveScoresheet, SubmitScoresheet, blind
// until submitted: ExpertScoresheet) and progress (ReviewProgress).
// StartDeliberation then refuses an incomplete review, unless
// StartDeliberationOverridingReviews records why, and re-runs the engine
// with the experts' combined values.
//
// # Decisions, the notice and objections
//
// StartDeliberation drafts one decision per evaluated enterprise from
// the engine's outcome and reason. A decision is
//
//	drafted ──PublishNotice──▶ proposed ──Announce──▶ final
//
// Drafted decisions are edited with UpdateDecision. PublishNotice lists
// them in a public notice for the cycle's number of working days
// (weekends skipped; the calendar's holidays and swapped working days
// counted, see AddWorkingDays) and freezes them as proposed: the public
// has seen them. While the notice runs anyone may file an objection;
// each is handled, upheld or dismissed, with a reason.
//
// An upheld objection sends that enterprise's decision back to
// deliberation: proposed becomes drafted again. The cycle does not go
// back: the other enterprises' decisions, which nobody successfully
// challenged, stay proposed, and restarting the whole notice for one
// enterprise would delay every other one. Instead the reopened decision is
// re-decided (UpdateDecision, during the notice or later) and settled with
// FinaliseDecision:
//
//   - settled during the notice, it is proposed again and Announce
//     finalises it with the others;
//   - still drafted when the cycle is announced, it is left out of the
//     announcement (the enterprise is neither granted nor confirmed nor
//     revoked), and FinaliseDecision later makes it final and lets it take
//     effect at once: a supplementary announcement. CloseCycle waits for
//     it.
//
// Announce needs the notice period to be over and every objection to it
// handled. It makes the proposed decisions final and lets them take
// effect: in an identification cycle a passing enterprise is granted the
// title (a recognition valid from the announcement for the program's
// validity_years); in a review cycle each reviewed enterprise's
// recognition is confirmed (passed review, valid for another
// validity_years) or revoked with the decision's reason.
//
// # Recognition over time
//
// A title lasts the program's validity_years. The review in year X+N
// (N = validity_years) re-examines the enterprises recognised in year X
// and those that passed review in year X: ReviewCohort computes that
// cohort from the recognitions and the review decisions, and
// OpenReviewCycle opens a draft review cycle with one draft application
// per cohort member. ExpireRecognitions turns titles whose last valid day
// has passed into expired. Holders file an annual report for each year of
// their title (SubmitAnnualReport; due dates per program, 30 April of the
// next year for miit-tide), and AnnualReports lists them as submitted,
// due or overdue against the service's clock. Timeline gives everything
// that happened to one enterprise, in date order.
//
// # Time
//
// The service's clock (WithClock) decides deadlines and notice periods
// and stamps rows and audit entries; its time zone (WithLocation, China
// by default) says which calendar day an instant falls on.
package workflow
