// Wiring: the one place that knows every part. Builds the store, executor,
// services and HTTP server from a Config and runs them.
#pragma once

#include <string>

#include "app/config.hpp"

namespace amur::app {

// Runs `amur serve` until SIGINT or SIGTERM, then finishes in-flight
// requests, commits queued writes, closes the database and returns 0.
// Returns non-zero (after printing why) when start-up fails.
int RunServe(const Config& config);

// Runs `amur verify`: walks every page's hash chain, prints each failure,
// returns 0 when everything verifies and 1 otherwise.
int RunVerify(const Config& config);

// Runs `amur erase --email ADDRESS`: erases the words of every comment whose
// author address is ADDRESS (CommentService::Erase), audited as "cli", in
// one transaction; prints what it erased.
int RunErase(const Config& config, const std::string& email);

// Runs `amur user add`: creates an account. The password comes from
// AMUR_PASSWORD or, failing that, the first line of standard input. Returns 0
// on success, 1 when the account is refused (printing why), 2 on failure.
// `amur moderation train`: retrains the classifier from every moderator
// decision in the audit log (approve = keep, reject/spam = hold) and saves it.
int RunModerationTrain(const Config& config);

// `amur moderation eval FILE`: scores a labelled file (JSON Lines or TSV) with
// the saved model, or with one trained on `train_file` when given, and prints
// precision, recall, F1 and ROC-AUC.
// `pipeline`: the whole pipeline after learning `train_file` as decisions
// (moderation/pipeline_eval.hpp); `goals`: exit 1 when it misses them;
// `seed_corpus`: a file in the seed corpus's format to train the seed model
// from instead of the compiled-in corpus.
int RunModerationEval(const Config& config, const std::string& file, const std::string& train_file,
                      bool pipeline = false, bool goals = false,
                      const std::string& seed_corpus = {});

int RunUserAdd(const Config& config, const std::string& email, const std::string& name,
               const std::string& role);

}  // namespace amur::app
