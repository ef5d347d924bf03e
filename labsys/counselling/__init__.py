"""Counselling: the knowledge base, the rules that pick prompts for a result, the take-away card."""

from labsys.counselling.rules import Prompt, PromptSet, select_prompts

__all__ = ["Prompt", "PromptSet", "select_prompts"]
