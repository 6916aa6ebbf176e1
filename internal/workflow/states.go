package workflow

// The names of the states the workflow moves records through; they are
// the values the database's CHECK constraints allow.

// Cycle kinds.
const (
	KindIdentification = "identification" // 认定: enterprises apply for the title
	KindReview         = "review"         // 复核评价: holders of the title are examined again
)

// Cycle phases, in the order a cycle goes through them.
const (
	PhaseDraft          = "draft"          // being set up; nobody sees it yet
	PhaseOpen           = "open"           // enterprises apply
	PhaseRecommendation = "recommendation" // channels screen and recommend within their quotas
	PhaseEvaluation     = "evaluation"     // the engine has scored the recommended applications
	PhaseDeliberation   = "deliberation"   // decisions drafted and edited
	PhaseNotice         = "notice"         // the public notice runs; objections are filed and handled
	PhaseAnnounced      = "announced"      // decisions final and in effect
	PhaseClosed         = "closed"         // nothing changes any more
)

// Phases lists the cycle phases in order.
var Phases = []string{PhaseDraft, PhaseOpen, PhaseRecommendation, PhaseEvaluation, PhaseDeliberation, PhaseNotice, PhaseAnnounced, PhaseClosed}

// Application statuses.
const (
	StatusDraft          = "draft"           // being filled in by the enterprise
	StatusSubmitted      = "submitted"       // locked, waiting for the channel
	StatusWithdrawn      = "withdrawn"       // taken back by the enterprise
	StatusReturned       = "returned"        // sent back by the channel for correction, with a reason
	StatusRecommended    = "recommended"     // put forward by the channel, within its quota
	StatusNotRecommended = "not_recommended" // not put forward
)

// Decision states.
const (
	DecisionDrafted  = "drafted"  // editable
	DecisionProposed = "proposed" // listed in the public notice: frozen
	DecisionFinal    = "final"    // announced and in effect
)

// Decision outcomes.
const (
	OutcomePass = "pass"
	OutcomeFail = "fail"
)

// Objection statuses.
const (
	ObjectionFiled     = "filed"
	ObjectionUpheld    = "upheld"
	ObjectionDismissed = "dismissed"
)

// Recognition statuses.
const (
	RecognitionActive       = "active"
	RecognitionPassedReview = "passed_review"
	RecognitionRevoked      = "revoked"
	RecognitionExpired      = "expired"
)

// Channel kinds.
var channelKinds = []string{"province", "city", "corps", "central_soe"}
