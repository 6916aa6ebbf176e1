// Package program defines recognition programs as data: the YAML schema,
// its loading and validation, the expressions that derive indicators and
// decide gates, and the built-in programs embedded in the binary.
//
// The package is pure: it reads bytes it is given and returns values.
package program

// SchemaVersion is the only definition schema this build reads.
const SchemaVersion = "exemplar/v1"

// Text is a bilingual string. Both languages are required in built-in
// programs; user programs need at least one.
type Text struct {
	Zh string `yaml:"zh"`
	En string `yaml:"en"`
}

// In returns the text in lang ("zh" or "en"), falling back to the other.
func (t Text) In(lang string) string {
	if lang == "zh" && t.Zh != "" || t.En == "" {
		return t.Zh
	}
	return t.En
}

// Definition is one recognition program as written in its YAML file.
type Definition struct {
	Schema  string `yaml:"schema"`
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
	Title   Text   `yaml:"title"`
	Summary Text   `yaml:"summary"`
	Source  string `yaml:"source"`

	// Years is how many consecutive fiscal years a yearly input holds,
	// oldest first. Expressions index them 0..Years-1 (2 = latest of 3).
	Years int `yaml:"years"`
	// ValidityYears is how long a recognition lasts (and the review period).
	ValidityYears int `yaml:"validity_years"`

	// ID names the input that identifies an enterprise (unique per table).
	ID string `yaml:"id"`
	// Channel, when set, names the choice or text input that says which
	// recommending channel an enterprise belongs to (for quotas).
	Channel string `yaml:"channel"`

	Inputs     []Input     `yaml:"inputs"`
	Indicators []Indicator `yaml:"indicators"`
	Gates      []Gate      `yaml:"gates"`
	Scoring    Scoring     `yaml:"scoring"`
	Decision   Decision    `yaml:"decision"`
	// Certificate is what a passing enterprise receives (certificate.go).
	Certificate Certificate `yaml:"certificate"`
	// Procedure holds the notice length and the annual report's due day
	// (procedure.go).
	Procedure Procedure `yaml:"procedure"`
	// Review, when set, has experts score some inputs of every
	// application before deliberation (see Review).
	Review *Review `yaml:"review"`
}

// Input kinds.
const (
	KindNumber = "number" // a real number with a unit
	KindYesNo  = "yesno"  // yes/no; true is 1 in expressions
	KindChoice = "choice" // one of Options; compared with strings
	KindText   = "text"   // free text (names, ids); not usable in arithmetic
)

// Input is one raw value an enterprise provides, per year when Yearly.
type Input struct {
	ID      string   `yaml:"id"`
	Name    Text     `yaml:"name"`
	Kind    string   `yaml:"kind"` // number (default), yesno, choice, text
	Unit    string   `yaml:"unit"` // for number: 元, 万元, 亿元, %, persons, count, ratio, points, or free
	Yearly  bool     `yaml:"yearly"`
	Min     *float64 `yaml:"min"`
	Max     *float64 `yaml:"max"`
	Options []Option `yaml:"options"` // for choice
	// Aliases are further header texts that name this input in a
	// spreadsheet (Chinese and English). The id and both names always match.
	Aliases  []string `yaml:"aliases"`
	Required bool     `yaml:"required"`
	// Format constrains text inputs: "uscc" checks a unified social credit code.
	Format string `yaml:"format"`
	Source string `yaml:"source"`
	Hint   Text   `yaml:"hint"`
	// Example is the value shown in the template's example row.
	Example string `yaml:"example"`
}

// Option is one allowed value of a choice input.
type Option struct {
	Value string `yaml:"value"`
	Name  Text   `yaml:"name"`
}

// Indicator is a derived quantity: an expression over inputs and other
// indicators, evaluated per enterprise.
type Indicator struct {
	ID     string `yaml:"id"`
	Name   Text   `yaml:"name"`
	Unit   string `yaml:"unit"`
	Expr   string `yaml:"expr"`
	Source string `yaml:"source"`
}

// Gate is a hard eligibility rule. Rule is a boolean expression that must
// hold; when it does not (or cannot be computed for missing values) the
// enterprise is not eligible and Message, with {name} placeholders filled
// with the enterprise's values, says why.
type Gate struct {
	ID      string `yaml:"id"`
	Name    Text   `yaml:"name"`
	Rule    string `yaml:"rule"`
	Message Text   `yaml:"message"`
	Source  string `yaml:"source"`
}

// Scoring models.
const (
	ModelBands     = "bands"
	ModelComposite = "composite"
	ModelCombined  = "combined"
)

// Scoring holds the framework and how its leaves become scores.
type Scoring struct {
	Model string `yaml:"model"`
	// Pipeline configures the composite steps that run over the whole
	// cohort before aggregation (ignored by pure band programs).
	Pipeline Pipeline `yaml:"pipeline"`
	// Framework is the root of the tree: indicators → pillars → … → index.
	Framework Node `yaml:"framework"`
	// BandPoints says which points a band with a range contributes to
	// totals when no expert has fixed them: low, mid or high.
	BandPoints string `yaml:"band_points"`
	Source     string `yaml:"source"`
}

// Pipeline is the composite-indicator treatment of the cohort.
type Pipeline struct {
	// Coverage drops (marks not scored) enterprises with less than this
	// fraction of composite leaves present. 0 disables.
	Coverage float64 `yaml:"coverage"`
	// Screen says when coverage is measured: "before" imputation (the
	// default: an enterprise's own data) or "after" it (COINr's reference
	// pipeline, where imputation usually leaves nothing to screen).
	Screen    string    `yaml:"screen"`
	Impute    Impute    `yaml:"impute"`
	Outliers  Outliers  `yaml:"outliers"`
	Normalise Normalise `yaml:"normalise"`
}

// Impute says how missing composite leaves are filled.
type Impute struct {
	Method string `yaml:"method"` // none, mean, median, group_mean, group_median
	Group  string `yaml:"group"`  // input (choice or text) that defines groups
}

// Outliers says how composite leaves are treated for outliers.
type Outliers struct {
	Method            string  `yaml:"method"` // none, winsorise, log
	MaxWinsorise      int     `yaml:"max_winsorise"`
	SkewThreshold     float64 `yaml:"skew"`
	KurtosisThreshold float64 `yaml:"kurtosis"`
	Fallback          string  `yaml:"fallback"` // log or none
}

// Normalise says how composite leaves are brought to a common scale.
type Normalise struct {
	Method string   `yaml:"method"` // minmax, zscore, rank, percentile, goalposts, target
	Low    float64  `yaml:"low"`
	High   float64  `yaml:"high"`
	Mean   float64  `yaml:"mean"`
	SD     float64  `yaml:"sd"`
	Scale  float64  `yaml:"scale"`
	Trunc  bool     `yaml:"trunc"`
	Cap    *float64 `yaml:"cap"`
}

// Aggregation methods for a node's children.
const (
	AggSum         = "sum"
	AggArithmetic  = "arithmetic"
	AggGeometric   = "geometric"
	AggHarmonic    = "harmonic"
	AggGeneralised = "generalised"
)

// Node is one element of the framework. A node is either a leaf — it has
// Points, Bands or Indicator — or a branch with Children.
type Node struct {
	ID   string `yaml:"id"`
	Name Text   `yaml:"name"`
	// Weight is the node's weight in its parent (default 1; must be > 0).
	Weight *float64 `yaml:"weight"`
	// Max caps the node's score (a bonus cannot lift it above Max).
	Max *float64 `yaml:"max"`
	// Aggregate combines the children: sum (points), arithmetic, geometric,
	// harmonic, generalised (with Power).
	Aggregate string  `yaml:"aggregate"`
	Power     float64 `yaml:"power"`
	Children  []Node  `yaml:"children"`

	// Points is an expression whose value is the leaf's score (for
	// example an expert's points, clamped to [0, Max]).
	Points string `yaml:"points"`
	// Bands scores Value by the first band whose condition holds.
	Value string `yaml:"value"`
	Bands []Band `yaml:"bands"`
	// Fixed names an input that, when present, fixes the points within
	// the band's range (the experts' choice).
	Fixed string `yaml:"fixed"`

	// Indicator makes a composite leaf: the named indicator or input is
	// imputed, treated, normalised and aggregated with the cohort.
	Indicator string `yaml:"indicator"`
	Direction int    `yaml:"direction"` // +1 (default) or -1
	// Target is the target of the distance-to-target normalisation.
	Target *float64 `yaml:"target"`
	// Goalposts are the [low, high] goalposts of the goalposts
	// normalisation.
	Goalposts *[2]float64 `yaml:"goalposts"`
	Source    string      `yaml:"source"`
}

// Band is one row of a band table. Exactly one of the comparison fields
// is set; the band matches when Value compares so. Points is [low, high].
type Band struct {
	Label   string     `yaml:"label"`
	AtLeast *float64   `yaml:"at_least"`
	Above   *float64   `yaml:"above"`
	When    string     `yaml:"when"`
	Points  [2]float64 `yaml:"points"`
}

// Decision turns scores into pass or fail.
type Decision struct {
	// Score is the framework node whose score is compared (default: root).
	Score     string   `yaml:"score"`
	Threshold *float64 `yaml:"threshold"`
	// Strict makes the threshold exclusive: score must be above it.
	Strict bool `yaml:"strict"`
	// Quota caps how many pass per channel (ranked within the channel).
	Quota Quota `yaml:"quota"`
	// Ties orders enterprises with equal scores, in turn; the last resort
	// is always the enterprise id, ascending.
	Ties   []TieBreak `yaml:"ties"`
	Source string     `yaml:"source"`
}

// Quota is the number of enterprises that may pass per channel.
type Quota struct {
	Default  int            `yaml:"default"`
	Channels map[string]int `yaml:"channels"`
	Source   string         `yaml:"source"`
}

// TieBreak is one tie-breaking key: a node, indicator or input, compared
// in Order (desc by default).
type TieBreak struct {
	By    string `yaml:"by"`
	Order string `yaml:"order"`
}
