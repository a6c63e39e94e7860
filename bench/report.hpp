// The human side of a result document: the table, the targets of issue #5, and the comparison of
// two result files. Everything here reads the JSON document, so a table can be printed again
// from any saved result.
#pragma once

#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

namespace tightloop::bench {

// [{"name", "target", "value", "met"}] for the figures the document has.
nlohmann::json evaluate_targets(const nlohmann::json& doc);

void print_table(const nlohmann::json& doc, std::ostream& out);

// printf into a std::string (table lines; at most 511 characters).
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

// A ratio dropped by more than this fraction is a regression.
inline constexpr double allowed_ratio_drop = 0.20;

// Compares the ratios (actor_over_direct, many_over_one) of two result documents and prints
// them with the headline figures. 0: no ratio dropped by more than 20 %; 1: one did.
int compare_results(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                    std::ostream& out);

}  // namespace tightloop::bench
