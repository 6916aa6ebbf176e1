package web

// The words of the public program pages (public_programs.go), added to
// messages (lang.go) at start-up.
func init() {
	for k, v := range programMessages {
		messages[k] = v
	}
}

var programMessages = map[string][2]string{
	"nav.programs":       {"认定项目", "Programs"},
	"prog.list.title":    {"认定项目", "Recognition programs"},
	"prog.list.none":     {"还没有登记认定项目。", "No program is registered yet."},
	"prog.version":       {"定义版本 %s", "definition version %s"},
	"prog.cycles":        {"批次", "Cycles"},
	"prog.year":          {"年度", "Year"},
	"prog.phase":         {"阶段", "Phase"},
	"prog.results":       {"结果名单", "Results"},
	"prog.notice":        {"公示", "Notice"},
	"prog.no_cycles":     {"尚无公开的批次。", "No cycle is public yet."},
	"prog.conditions":    {"申报条件", "Conditions"},
	"prog.evaluation":    {"评价指标", "How applications are evaluated"},
	"prog.review":        {"专家评审：每份申报至少 %d 位专家独立评分，回避利益冲突。", "Expert review: at least %d experts score each application independently, with conflicts of interest excluded."},
	"prog.procedure":     {"程序与期限", "Procedure and deadlines"},
	"prog.notice_days":   {"公示期 %d 个工作日，公示期内任何单位和个人均可提出异议。", "A public notice of %d working days, during which anyone may object."},
	"prog.validity":      {"称号有效期 %d 年，期满复核评价。", "The title is valid for %d years, then reviewed."},
	"prog.report_due":    {"年度报告截止日期：", "Annual report due by:"},
	"prog.report_due_on": {"次年%[1]d月%[2]d日", "%[2]d %[3]s of the following year"},
	"prog.issuer":        {"颁发单位", "Issued by"},
}
