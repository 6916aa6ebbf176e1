package demo

import (
	"math"
	"math/rand/v2"
)

// StoryFirms is the size of the story's national cohort: the 150
// enterprises recognised in 2015 and reviewed in 2018.
const StoryFirms = 150

// Annual report filings of a Firm.
const (
	FiledOnTime = "on time"
	FiledLate   = "late"
	NotFiled    = "missing"
)

// Firm is one fictional enterprise of the story: its identity, its
// channel, and its data as the miit-tide program's inputs (JSON-ready
// values: numbers as float64, yes/no as bool, yearly inputs as []any,
// oldest year first).
type Firm struct {
	Code, Name, Channel string
	// Identification is its application to the 2015 identification
	// cycle: the years 2012–2014. It is generated to meet every gate with
	// a margin (the engine still decides).
	Identification map[string]any
	// Review is its application to the 2018 review: the years 2015–2017,
	// continuing the same trajectory. A few enterprises are hit by a
	// random setback (a loss, an R&D cut, a downsizing, a downturn, a
	// lost technology centre) of random size: whether it fails a gate is
	// for the engine to say.
	Review map[string]any
	// Reports are its annual reports on 2015, 2016 and 2017, and Filing
	// says when each is filed: FiledOnTime, FiledLate or NotFiled.
	Reports [3]map[string]any
	Filing  [3]string
}

// Story generates the story's n enterprises from seed, deterministically.
func Story(seed uint64, n int) []Firm {
	rng := rand.New(rand.NewPCG(seed, 0x5eed2017))
	firms := make([]Firm, n)
	for k := range firms {
		firms[k] = storyFirm(rng, k)
	}
	return firms
}

func storyFirm(rng *rand.Rand, k int) Firm {
	f := Firm{
		Code:    CreditCode(rng, districts[k%len(districts)]),
		Name:    companyName(rng, k),
		Channel: tideChannels[k%len(tideChannels)],
	}
	industry := []string{"专用设备制造业", "计算机、通信和其他电子设备制造业", "医药制造业", "汽车制造业", "化学原料和化学制品制造业"}[rng.IntN(5)]
	centre := []string{"national", "national", "provincial"}[rng.IntN(3)]

	// Six years, 2012–2017: sales growing 4–16 % a year, R&D at 3.5–8 %
	// of sales, a margin of 3–12 %, a workforce of 600 and more.
	var sales, rd, profit [6]float64
	sales[0] = round(logNormal(rng, 300000, 0.9), 1)
	growth := 0.04 + 0.12*rng.Float64()
	for y := 1; y < 6; y++ {
		sales[y] = round(sales[y-1]*(1+growth+0.01*rng.NormFloat64()), 1)
		if sales[y] <= sales[y-1] {
			sales[y] = round(sales[y-1]*1.02, 1)
		}
	}
	intensity := 0.035 + 0.045*rng.Float64()
	margin := 0.03 + 0.09*rng.Float64()
	for y := range sales {
		rd[y] = round(sales[y]*(intensity+0.002*rng.Float64()), 1)
		profit[y] = round(sales[y]*margin*(0.99+0.02*rng.Float64()), 1)
	}
	staff := math.Max(600, math.Round(logNormal(rng, 3000, 0.8)))
	staff18 := math.Round(staff * (0.95 + 0.2*rng.Float64()))
	centre18 := centre

	// The setbacks of 2015–2017, each rare, each of random size.
	if rng.Float64() < 0.01 { // a loss in one year
		y := 3 + rng.IntN(3)
		profit[y] = -round(sales[y]*0.03*rng.Float64(), 1)
	}
	if rng.Float64() < 0.015 { // R&D cut in 2017, to 2.4–3.4 % of sales
		rd[5] = round(sales[5]*(0.024+0.01*rng.Float64()), 1)
	}
	if rng.Float64() < 0.008 { // downsizing to 220–380 staff
		staff18 = math.Round(220 + 160*rng.Float64())
	}
	if rng.Float64() < 0.007 { // a downturn: sales and profit fall
		for y := 3; y < 6; y++ {
			sales[y] = round(sales[y-1]*(0.93+0.08*rng.Float64()), 1)
			rd[y] = round(sales[y]*intensity, 1)
			profit[y] = round(sales[y]*margin*(0.8+0.2*rng.Float64()), 1)
		}
	}
	if rng.Float64() < 0.004 { // the technology centre lost its recognition
		centre18 = "none"
	}

	years := func(v [6]float64, from int) []any { return []any{v[from], v[from+1], v[from+2]} }
	common := func() map[string]any {
		return map[string]any{
			"name": f.Name, "industry": industry,
			"sound_credit": true, "china_controlled": true, "innovation_effect": true,
			"rd_staff_income_ratio": round(1+rng.Float64(), 2), "training_cost_pct": round(1+6*rng.Float64(), 1),
			"external_experts": float64(rng.IntN(60)), "external_projects_pct": round(5+40*rng.Float64(), 1),
			"rd_staff_pct": round(8+20*rng.Float64(), 1), "senior_experts": float64(5 + rng.IntN(200)),
			"equipment_value": round(logNormal(rng, 20000, 0.8), 1), "certified_labs": float64(rng.IntN(8)),
			"long_projects_pct": round(10+40*rng.Float64(), 1), "invention_patents": math.Round(logNormal(rng, 120, 1.0)),
			"top_brands": float64(rng.IntN(6)), "new_products": float64(5 + rng.IntN(80)),
			"patent_applications": math.Round(logNormal(rng, 90, 0.9)), "standards": float64(rng.IntN(30)),
			"new_product_sales_pct": round(20+50*rng.Float64(), 1), "new_product_profit_pct": round(20+55*rng.Float64(), 1),
			"export_earnings": round(logNormal(rng, 15000, 1.3), 1), "awards": float64(rng.IntN(4)),
		}
	}
	f.Identification = common()
	f.Identification["tech_centre"] = centre
	f.Identification["employees"] = staff
	f.Identification["sales"], f.Identification["rd"], f.Identification["profit"] = years(sales, 0), years(rd, 0), years(profit, 0)
	f.Identification["total_assets"] = round(sales[2]*(1+rng.Float64()), 1)

	f.Review = common()
	f.Review["tech_centre"] = centre18
	f.Review["employees"] = staff18
	f.Review["sales"], f.Review["rd"], f.Review["profit"] = years(sales, 3), years(rd, 3), years(profit, 3)
	f.Review["total_assets"] = round(sales[5]*(1+rng.Float64()), 1)

	for y := range f.Reports {
		f.Reports[y] = map[string]any{
			"year": float64(2015 + y), "sales": sales[3+y], "rd": rd[3+y], "profit": profit[3+y], "employees": staff18,
		}
		switch r := rng.Float64(); {
		case r < 0.015:
			f.Filing[y] = NotFiled
		case r < 0.06:
			f.Filing[y] = FiledLate
		default:
			f.Filing[y] = FiledOnTime
		}
	}
	return f
}
