"""``review``: automatic checks before anything reaches a person — the caption fits its
platform, carries the 21+ / responsible-use line, and there is media to go with it."""

from playbooks.captions import caption_problems
from playbooks.executor.base import (
    Param,
    PlaybookExecutionContext,
    StepError,
    StepOutcome,
    StepRuntime,
)

REVIEW_PARAMS = {
    "requireMedia": Param("bool", default=True),
}


def review(params: dict, context: PlaybookExecutionContext, runtime: StepRuntime) -> StepOutcome:
    checks = []
    caption = runtime.result_of(context, "generate_caption")
    if caption is None:
        checks.append(("caption", False, "no earlier step wrote a caption"))
    else:
        problems = caption_problems(caption["platform"], caption["caption"])
        length_problems = [p for p in problems if "21+" not in p]
        checks.append(
            (
                "caption length",
                not length_problems,
                "; ".join(length_problems)
                or f"{caption['length']} of {caption['limit']} on {caption['platform']}",
            )
        )
        has_disclaimer = not any("21+" in p for p in problems)
        checks.append(
            (
                "21+ disclaimer",
                has_disclaimer,
                "present" if has_disclaimer else "the 21+ / responsible-use line is missing",
            )
        )
    if params["requireMedia"]:
        media = [
            item
            for item in runtime.results_of(context, "generate_video", "generate_image")
            if item.get("video_url") or item.get("image_url")
        ]
        checks.append(
            (
                "media present",
                bool(media),
                f"{len(media)} item(s)" if media else "no image or video was generated",
            )
        )
    result = {
        "passed": all(passed for _, passed, _ in checks),
        "checks": [
            {"name": name, "passed": passed, "detail": detail} for name, passed, detail in checks
        ],
    }
    if not result["passed"]:
        failed = "; ".join(f"{name}: {detail}" for name, passed, detail in checks if not passed)
        raise StepError(f"Review failed — {failed}", result=result)
    return StepOutcome(result)
